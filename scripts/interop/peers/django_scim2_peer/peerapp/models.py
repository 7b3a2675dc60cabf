# The models django-scim2's default SCIMUser/SCIMGroup adapters read: Django's AbstractUser
# fields (username, first_name, last_name, email, is_active, date_joined, groups) plus the
# SCIM mixins (scim_id, scim_external_id, ...). Group extends auth.Group so that the default
# group adapter's `obj.user_set` / `obj.name` work unchanged.
from django.contrib.auth.models import AbstractUser, Group as AuthGroup
from django_scim.models import AbstractSCIMGroupMixin, AbstractSCIMUserMixin


class User(AbstractSCIMUserMixin, AbstractUser):
    @property
    def scim_groups(self):
        return Group.objects.filter(group_ptr__in=self.groups.all())


class Group(AbstractSCIMGroupMixin, AuthGroup):
    pass
