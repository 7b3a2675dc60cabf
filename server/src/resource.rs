//! Resource types as the stages see them: the schemas of each kind, and one marker type per
//! kind so the `/Users` and `/Groups` routes are one set of handlers generic over the kind.

use crate::schema::ResourceSchemas;
use crate::store::Kind;
use scimock_profile::Profile;

/// The schemas of every resource type a tenant serves.
#[derive(Debug, Clone, PartialEq)]
pub struct Schemas {
    /// User schemas (core + this vendor's extensions).
    pub users: ResourceSchemas,
    /// Group schemas.
    pub groups: ResourceSchemas,
}

impl Schemas {
    /// The schemas a profile documents.
    pub fn for_profile(profile: &Profile) -> Schemas {
        Schemas {
            users: ResourceSchemas::user(profile),
            groups: ResourceSchemas::group(profile),
        }
    }

    /// The schemas of `kind`.
    pub fn of(&self, kind: Kind) -> &ResourceSchemas {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }
}

/// A resource type at the type level, so one generic handler serves each kind.
pub trait Resource: Send + Sync + 'static {
    /// The kind this marker stands for.
    const KIND: Kind;
}

/// `/Users`.
#[derive(Debug, Clone, Copy)]
pub struct Users;

/// `/Groups`.
#[derive(Debug, Clone, Copy)]
pub struct Groups;

impl Resource for Users {
    const KIND: Kind = Kind::User;
}

impl Resource for Groups {
    const KIND: Kind = Kind::Group;
}
