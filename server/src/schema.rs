//! Attribute definitions of Users and Groups (RFC 7643 §2, §3.1, §4, §8.7.1): the one
//! source for write validation, filter facts (type, `caseExact`) and the `/Schemas`
//! representation (§7).
//!
//! A profile adds its extensions, its top-level vendor attributes and its read-only list to
//! the RFC definitions; nothing else about a vendor lives here.

use crate::error::ScimError;
use scimock_filter::{AttrInfo, AttrKind, AttrPath, SchemaInfo};
use scimock_profile::{Profile, UnknownAttributes};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 7643 §4.1 core User schema.
pub const CORE_USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 §4.2 core Group schema.
pub const CORE_GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// RFC 7643 §4.3 Enterprise User extension.
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Elfsquad's User extension (VENDORS.md §3, S-001).
pub const ELFSQUAD_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
/// Atlassian's external-account extension, without `ietf:params` (VENDORS.md §6, S-004).
pub const ATLASSIAN_EXTERNAL_URN: &str = "urn:scim:schemas:extension:atlassian-external:1.0";
/// RFC 7643 §7 schema of schema representations.
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// Deepest JSON nesting accepted in a request body.
pub const MAX_DEPTH: usize = 32;

/// RFC 7643 §2.2 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the service provider; client values are ignored (PUT/POST) or refused (PATCH).
    ReadOnly,
    /// Freely writable.
    ReadWrite,
    /// Writable once; a set value may not change.
    Immutable,
    /// Writable, never returned.
    WriteOnly,
}

impl Mutability {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §2.2 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded.
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

impl Returned {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// RFC 7643 §2.2 `uniqueness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No uniqueness.
    None,
    /// Unique within the service provider's tenant.
    Server,
    /// Globally unique.
    Global,
}

impl Uniqueness {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// The wire spelling of an RFC 7643 §2.3 data type.
pub fn kind_str(kind: AttrKind) -> &'static str {
    match kind {
        AttrKind::String => "string",
        AttrKind::Boolean => "boolean",
        AttrKind::Decimal => "decimal",
        AttrKind::Integer => "integer",
        AttrKind::DateTime => "dateTime",
        AttrKind::Reference => "reference",
        AttrKind::Binary => "binary",
        AttrKind::Complex => "complex",
    }
}

/// One attribute (or sub-attribute) with its RFC 7643 §7 characteristics.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrDef {
    /// Name in the schema's spelling (`userName`).
    pub name: String,
    /// Data type.
    pub kind: AttrKind,
    /// `multiValued`.
    pub multi_valued: bool,
    /// `required`.
    pub required: bool,
    /// `caseExact`.
    pub case_exact: bool,
    /// `mutability`.
    pub mutability: Mutability,
    /// `returned`.
    pub returned: Returned,
    /// `uniqueness`.
    pub uniqueness: Uniqueness,
    /// `canonicalValues` (documented, not enforced).
    pub canonical_values: Vec<String>,
    /// `referenceTypes` of reference attributes.
    pub reference_types: Vec<String>,
    /// Human description.
    pub description: String,
    /// Sub-attributes of a complex attribute.
    pub sub_attributes: Vec<AttrDef>,
}

impl AttrDef {
    /// A single-valued, optional, case-insensitive, readWrite attribute returned by default.
    pub fn new(name: &str, kind: AttrKind, description: &str) -> AttrDef {
        AttrDef {
            name: name.to_string(),
            kind,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: Vec::new(),
            reference_types: Vec::new(),
            description: description.to_string(),
            sub_attributes: Vec::new(),
        }
    }

    /// Makes it multi-valued.
    pub fn multi_valued(mut self) -> AttrDef {
        self.multi_valued = true;
        self
    }

    /// Makes it required.
    pub fn required(mut self) -> AttrDef {
        self.required = true;
        self
    }

    /// Makes it case-exact.
    pub fn case_exact(mut self) -> AttrDef {
        self.case_exact = true;
        self
    }

    /// Sets `mutability` (on the sub-attributes too when it is `readOnly`).
    pub fn mutability(mut self, m: Mutability) -> AttrDef {
        self.set_mutability(m);
        self
    }

    /// Sets `returned`.
    pub fn returned(mut self, r: Returned) -> AttrDef {
        self.returned = r;
        self
    }

    /// Sets `uniqueness`.
    pub fn uniqueness(mut self, u: Uniqueness) -> AttrDef {
        self.uniqueness = u;
        self
    }

    /// Sets `canonicalValues`.
    pub fn canonical(mut self, values: &[&str]) -> AttrDef {
        self.canonical_values = values.iter().map(|v| v.to_string()).collect();
        self
    }

    /// Sets `referenceTypes`.
    pub fn refs(mut self, types: &[&str]) -> AttrDef {
        self.reference_types = types.iter().map(|v| v.to_string()).collect();
        self
    }

    /// Sets the sub-attributes.
    pub fn subs(mut self, subs: Vec<AttrDef>) -> AttrDef {
        self.sub_attributes = subs;
        self
    }

    /// Sets `mutability` in place; `readOnly` propagates to the sub-attributes.
    pub fn set_mutability(&mut self, m: Mutability) {
        self.mutability = m;
        if m == Mutability::ReadOnly {
            for s in &mut self.sub_attributes {
                s.set_mutability(m);
            }
        }
    }

    /// True for `complex` attributes.
    pub fn is_complex(&self) -> bool {
        self.kind == AttrKind::Complex
    }

    /// True for `readOnly` attributes.
    pub fn is_read_only(&self) -> bool {
        self.mutability == Mutability::ReadOnly
    }

    /// The facts the filter evaluator needs.
    pub fn info(&self) -> AttrInfo {
        AttrInfo {
            kind: self.kind,
            case_exact: self.case_exact,
            multi_valued: self.multi_valued,
        }
    }

    /// RFC 7643 §7 representation of this attribute.
    pub fn to_scim_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("type".into(), json!(kind_str(self.kind)));
        m.insert("multiValued".into(), json!(self.multi_valued));
        m.insert("description".into(), json!(self.description));
        m.insert("required".into(), json!(self.required));
        m.insert("caseExact".into(), json!(self.case_exact));
        if !self.canonical_values.is_empty() {
            m.insert("canonicalValues".into(), json!(self.canonical_values));
        }
        if self.kind == AttrKind::Reference {
            m.insert("referenceTypes".into(), json!(self.reference_types));
        }
        m.insert("mutability".into(), json!(self.mutability.as_str()));
        m.insert("returned".into(), json!(self.returned.as_str()));
        m.insert("uniqueness".into(), json!(self.uniqueness.as_str()));
        if self.is_complex() {
            let subs: Vec<Value> = self
                .sub_attributes
                .iter()
                .map(AttrDef::to_scim_json)
                .collect();
            m.insert("subAttributes".into(), Value::Array(subs));
        }
        Value::Object(m)
    }
}

/// The sub-attribute `sub` of `parent`, matched case-insensitively.
pub fn lookup_sub<'a>(parent: &'a AttrDef, sub: &str) -> Option<&'a AttrDef> {
    find_def(&parent.sub_attributes, sub)
}

/// The definition named `name` (case-insensitively) in `defs`.
fn find_def<'a>(defs: &'a [AttrDef], name: &str) -> Option<&'a AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// One schema (core or extension) with its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDef {
    /// Schema URN.
    pub id: String,
    /// Short name (`User`, `EnterpriseUser`).
    pub name: String,
    /// Human description.
    pub description: String,
    /// Top-level attributes.
    pub attributes: Vec<AttrDef>,
}

impl SchemaDef {
    /// RFC 7643 §7 representation, with `meta.location` under `base_url`.
    pub fn to_scim_json(&self, base_url: &str) -> Value {
        let attrs: Vec<Value> = self.attributes.iter().map(AttrDef::to_scim_json).collect();
        json!({
            "schemas": [SCHEMA_URN],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": attrs,
            "meta": {
                "resourceType": "Schema",
                "location": format!("{}/Schemas/{}", base_url.trim_end_matches('/'), self.id),
            },
        })
    }
}

/// Where an attribute path points in a resource of one type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a> {
    /// The extension holding the attribute (`None`: top level of the resource).
    pub extension: Option<&'a SchemaDef>,
    /// The attribute (`None`: the whole extension object, a bare extension URN).
    pub attr: Option<&'a AttrDef>,
    /// The sub-attribute, when the path names one.
    pub sub: Option<&'a AttrDef>,
}

/// What a write does with a request body: the profile's unknown-attribute rule and leniency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Attributes the schema does not know.
    pub unknown: UnknownAttributes,
    /// `"true"`/`"false"` (any case) accepted for boolean attributes.
    pub string_booleans: bool,
}

impl WriteOptions {
    /// The options a profile documents for POST and PUT bodies.
    pub fn for_profile(profile: &Profile) -> WriteOptions {
        WriteOptions {
            unknown: profile.writes.unknown_attributes,
            string_booleans: profile.patch.string_booleans,
        }
    }
}

/// The schemas of one resource type: common attributes (§3.1), core schema, extensions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchemas {
    /// `User` or `Group`.
    pub resource_type: String,
    /// Endpoint relative to the base (`/Users`).
    pub endpoint: String,
    /// RFC 7643 §3.1 `id`, `externalId`, `meta`: part of every resource, not of the schema's
    /// §7 representation.
    pub common: Vec<AttrDef>,
    /// The core schema.
    pub core: SchemaDef,
    /// The extensions this resource type has, in the profile's order.
    pub extensions: Vec<SchemaDef>,
}

// ---------------------------------------------------------------------------------------
// Definitions (RFC 7643 §3.1, §4, §8.7.1)
// ---------------------------------------------------------------------------------------

fn string(name: &str, description: &str) -> AttrDef {
    AttrDef::new(name, AttrKind::String, description)
}

fn boolean(name: &str, description: &str) -> AttrDef {
    AttrDef::new(name, AttrKind::Boolean, description)
}

fn reference(name: &str, types: &[&str], description: &str) -> AttrDef {
    AttrDef::new(name, AttrKind::Reference, description).refs(types)
}

fn complex(name: &str, description: &str, subs: Vec<AttrDef>) -> AttrDef {
    AttrDef::new(name, AttrKind::Complex, description).subs(subs)
}

/// A multi-valued complex attribute with the §2.4 sub-attributes `value`, `display`,
/// `type` and `primary`.
fn plural(name: &str, description: &str, value: AttrDef, types: &[&str]) -> AttrDef {
    complex(
        name,
        description,
        vec![
            value,
            string("display", "A human-readable name, primarily used for display purposes."),
            string("type", "A label indicating the attribute's function.").canonical(types),
            boolean(
                "primary",
                "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.",
            ),
        ],
    )
    .multi_valued()
}

/// RFC 7643 §3.1 common attributes.
fn common_attributes() -> Vec<AttrDef> {
    let ro = Mutability::ReadOnly;
    vec![
        string(
            "id",
            "Unique identifier for the SCIM resource as defined by the service provider.",
        )
        .case_exact()
        .mutability(ro)
        .returned(Returned::Always)
        .uniqueness(Uniqueness::Server),
        string(
            "externalId",
            "An identifier for the resource as defined by the provisioning client.",
        )
        .case_exact(),
        complex(
            "meta",
            "Resource metadata.",
            vec![
                string(
                    "resourceType",
                    "The name of the resource type of the resource.",
                )
                .case_exact(),
                AttrDef::new(
                    "created",
                    AttrKind::DateTime,
                    "When the resource was added.",
                ),
                AttrDef::new(
                    "lastModified",
                    AttrKind::DateTime,
                    "When the resource was last updated.",
                ),
                reference(
                    "location",
                    &["uri"],
                    "The URI of the resource being returned.",
                ),
                string("version", "The version (ETag) of the resource.").case_exact(),
            ],
        )
        .mutability(ro),
    ]
}

/// RFC 7643 §4.1 / §8.7.1 User.
fn user_schema() -> SchemaDef {
    let name_subs = [
        (
            "formatted",
            "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.",
        ),
        (
            "familyName",
            "The family name of the User, or last name in most Western languages.",
        ),
        (
            "givenName",
            "The given name of the User, or first name in most Western languages.",
        ),
        ("middleName", "The middle name(s) of the User."),
        (
            "honorificPrefix",
            "The honorific prefix(es) of the User, or title in most Western languages.",
        ),
        (
            "honorificSuffix",
            "The honorific suffix(es) of the User, or suffix in most Western languages.",
        ),
    ];
    let address_subs = [
        (
            "formatted",
            "The full mailing address, formatted for display or use with a mailing label.",
        ),
        ("streetAddress", "The full street address component."),
        ("locality", "The city or locality component."),
        ("region", "The state or region component."),
        ("postalCode", "The zip code or postal code component."),
        ("country", "The country name component."),
    ];
    let mut addresses: Vec<AttrDef> = address_subs.iter().map(|(n, d)| string(n, d)).collect();
    addresses.push(
        string("type", "A label indicating the attribute's function.")
            .canonical(&["work", "home", "other"]),
    );
    addresses.push(boolean(
        "primary",
        "A Boolean value indicating the 'primary' or preferred address.",
    ));
    let ro = Mutability::ReadOnly;
    SchemaDef {
        id: CORE_USER_URN.into(),
        name: "User".into(),
        description: "User Account".into(),
        attributes: vec![
            string("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.")
                .required()
                .uniqueness(Uniqueness::Server),
            complex("name", "The components of the user's real name.", name_subs.iter().map(|(n, d)| string(n, d)).collect()),
            string("displayName", "The name of the User, suitable for display to end-users."),
            string("nickName", "The casual way to address the user in real life."),
            reference("profileUrl", &["external"], "A fully qualified URL pointing to a page representing the User's online profile."),
            string("title", "The user's title, such as \"Vice President\"."),
            string("userType", "Used to identify the relationship between the organization and the user."),
            string("preferredLanguage", "Indicates the User's preferred written or spoken language."),
            string("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
            string("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
            boolean("active", "A Boolean value indicating the User's administrative status."),
            string("password", "The User's cleartext password.")
                .mutability(Mutability::WriteOnly)
                .returned(Returned::Never),
            plural("emails", "Email addresses for the user.", string("value", "Email addresses for the user."), &["work", "home", "other"]),
            plural("phoneNumbers", "Phone numbers for the User.", string("value", "Phone number of the User."), &["work", "home", "mobile", "fax", "pager", "other"]),
            plural("ims", "Instant messaging addresses for the User.", string("value", "Instant messaging address for the User."), &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
            plural("photos", "URLs of photos of the User.", reference("value", &["external"], "URL of a photo of the User."), &["photo", "thumbnail"]),
            complex("addresses", "A physical mailing address for this User.", addresses).multi_valued(),
            complex(
                "groups",
                "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.",
                vec![
                    string("value", "The identifier of the User's group."),
                    reference("$ref", &["User", "Group"], "The URI of the corresponding 'Group' resource to which the user belongs."),
                    string("display", "A human-readable name, primarily used for display purposes."),
                    string("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.").canonical(&["direct", "indirect"]),
                ],
            )
            .multi_valued()
            .mutability(ro),
            plural("entitlements", "A list of entitlements for the User that represent a thing the User has.", string("value", "The value of an entitlement."), &[]),
            plural("roles", "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.", string("value", "The value of a role."), &[]),
            plural("x509Certificates", "A list of certificates issued to the User.", AttrDef::new("value", AttrKind::Binary, "The value of an X.509 certificate."), &[]),
        ],
    }
}

/// RFC 7643 §4.2 / §8.7.1 Group (`displayName` required as §4.2 says).
fn group_schema() -> SchemaDef {
    let im = Mutability::Immutable;
    SchemaDef {
        id: CORE_GROUP_URN.into(),
        name: "Group".into(),
        description: "Group".into(),
        attributes: vec![
            string("displayName", "A human-readable name for the Group.").required(),
            complex(
                "members",
                "A list of members of the Group.",
                vec![
                    string("value", "Identifier of the member of this Group.").mutability(im),
                    reference(
                        "$ref",
                        &["User", "Group"],
                        "The URI corresponding to a SCIM resource that is a member of this Group.",
                    )
                    .mutability(im),
                    string(
                        "display",
                        "A human-readable name, primarily used for display purposes.",
                    ),
                    string(
                        "type",
                        "A label indicating the type of resource, e.g., 'User' or 'Group'.",
                    )
                    .canonical(&["User", "Group"])
                    .mutability(im),
                ],
            )
            .multi_valued(),
        ],
    }
}

/// RFC 7643 §4.3 / §8.7.1 Enterprise User.
fn enterprise_schema() -> SchemaDef {
    let plain = [
        (
            "employeeNumber",
            "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.",
        ),
        ("costCenter", "Identifies the name of a cost center."),
        ("organization", "Identifies the name of an organization."),
        ("division", "Identifies the name of a division."),
        ("department", "Identifies the name of a department."),
    ];
    let mut attributes: Vec<AttrDef> = plain.iter().map(|(n, d)| string(n, d)).collect();
    attributes.push(complex(
        "manager",
        "The User's manager.",
        vec![
            string(
                "value",
                "The id of the SCIM resource representing the User's manager.",
            ),
            reference(
                "$ref",
                &["User"],
                "The URI of the SCIM resource representing the User's manager.",
            ),
            string("displayName", "The displayName of the User's manager.")
                .mutability(Mutability::ReadOnly),
        ],
    ));
    SchemaDef {
        id: ENTERPRISE_USER_URN.into(),
        name: "EnterpriseUser".into(),
        description: "Enterprise User".into(),
        attributes,
    }
}

/// Elfsquad's extension: GUID-valued "ISO" fields (S-001), `isAdmin` (D:E2) and the 2FA status (D:E1).
fn elfsquad_schema() -> SchemaDef {
    let uuid = "(a UUID)";
    let mut attributes: Vec<AttrDef> = [
        "currencyIso",
        "languageIso",
        "crmAccountId",
        "crmContactId",
        "organizationId",
    ]
    .iter()
    .map(|n| string(n, &format!("Elfsquad {n} {uuid}.")))
    .collect();
    attributes.push(boolean(
        "isAdmin",
        "Whether the user is an Elfsquad administrator.",
    ));
    attributes.push(string(
        "twoFactorAuthenticationStatus",
        "Elfsquad two-factor authentication status.",
    ));
    SchemaDef {
        id: ELFSQUAD_USER_URN.into(),
        name: "ElfsquadUser".into(),
        description: "Elfsquad User".into(),
        attributes,
    }
}

/// Atlassian's extension: the read-only Atlassian account id (S-004).
fn atlassian_schema() -> SchemaDef {
    SchemaDef {
        id: ATLASSIAN_EXTERNAL_URN.into(),
        name: "AtlassianExternal".into(),
        description: "Atlassian external account".into(),
        attributes: vec![
            string(
                "atlassianAccountId",
                "The Atlassian account id linked to this user.",
            )
            .mutability(Mutability::ReadOnly),
        ],
    }
}

/// The definition of a known extension URN.
fn known_extension(urn: &str) -> Option<SchemaDef> {
    [enterprise_schema, elfsquad_schema, atlassian_schema]
        .into_iter()
        .map(|f| f())
        .find(|s| s.id.eq_ignore_ascii_case(urn))
}

impl ResourceSchemas {
    /// The User schemas of a profile: RFC core User, the profile's extensions, its top-level
    /// vendor attributes and mirrors, with `writes.read_only` applied.
    pub fn user(profile: &Profile) -> ResourceSchemas {
        let mut core = user_schema();
        let extensions: Vec<SchemaDef> = profile
            .shape
            .extensions
            .iter()
            .filter_map(|u| known_extension(u))
            .collect();
        for (name, values) in &profile.shape.vendor_attributes {
            if find_def(&core.attributes, name).is_none() {
                let values: Vec<&str> = values.iter().map(String::as_str).collect();
                core.attributes
                    .push(string(name, "Vendor attribute.").canonical(&values));
            }
        }
        for mirror in &profile.shape.mirrors {
            if find_def(&core.attributes, &mirror.top).is_some() {
                continue;
            }
            let def = extensions
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(&mirror.urn))
                .and_then(|e| find_def(&e.attributes, &mirror.sub))
                .cloned();
            if let Some(mut def) = def {
                def.name.clone_from(&mirror.top);
                core.attributes.push(def);
            }
        }
        let mut schemas = ResourceSchemas {
            resource_type: "User".into(),
            endpoint: "/Users".into(),
            common: common_attributes(),
            core,
            extensions,
        };
        for entry in &profile.writes.read_only {
            schemas.make_read_only(entry);
        }
        schemas
    }

    /// The Group schemas of a profile (RFC core Group; no extensions).
    pub fn group(profile: &Profile) -> ResourceSchemas {
        let _ = profile;
        ResourceSchemas {
            resource_type: "Group".into(),
            endpoint: "/Groups".into(),
            common: common_attributes(),
            core: group_schema(),
            extensions: Vec::new(),
        }
    }

    /// Marks an attribute (`emails`, `name.givenName`, `urn:...:attr`) or a whole extension
    /// (its URN) read-only. Unknown entries are ignored.
    pub fn make_read_only(&mut self, entry: &str) {
        if let Some(ext) = self
            .extensions
            .iter_mut()
            .find(|e| e.id.eq_ignore_ascii_case(entry))
        {
            for a in &mut ext.attributes {
                a.set_mutability(Mutability::ReadOnly);
            }
            return;
        }
        let (defs, rest) = match self.split_urn(entry) {
            Some((Some(i), rest)) => (&mut self.extensions[i].attributes, rest),
            Some((None, rest)) => (&mut self.core.attributes, rest),
            None => (&mut self.core.attributes, entry),
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        let Some(def) = defs.iter_mut().find(|d| d.name.eq_ignore_ascii_case(name)) else {
            return;
        };
        match sub {
            None => def.set_mutability(Mutability::ReadOnly),
            Some(s) => {
                if let Some(sd) = def
                    .sub_attributes
                    .iter_mut()
                    .find(|d| d.name.eq_ignore_ascii_case(s))
                {
                    sd.set_mutability(Mutability::ReadOnly);
                }
            }
        }
    }

    /// Splits `urn:...:attr` into (extension index or core, `attr`), when the prefix is one
    /// of this resource type's schema URNs.
    fn split_urn<'e>(&self, entry: &'e str) -> Option<(Option<usize>, &'e str)> {
        let (urn, rest) = entry.rsplit_once(':')?;
        if urn.eq_ignore_ascii_case(&self.core.id) {
            return Some((None, rest));
        }
        let i = self
            .extensions
            .iter()
            .position(|e| e.id.eq_ignore_ascii_case(urn))?;
        Some((Some(i), rest))
    }

    /// The extension with this URN (case-insensitive).
    pub fn extension(&self, urn: &str) -> Option<&SchemaDef> {
        self.extensions
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(urn))
    }

    /// True when `urn` is this resource type's core schema URN (case-insensitive).
    pub fn is_core_urn(&self, urn: &str) -> bool {
        urn.eq_ignore_ascii_case(&self.core.id)
    }

    /// A top-level (common or core) attribute by name, case-insensitively.
    pub fn top_level(&self, name: &str) -> Option<&AttrDef> {
        find_def(&self.common, name).or_else(|| find_def(&self.core.attributes, name))
    }

    /// Every top-level attribute: common ones, then the core schema's.
    pub fn top_level_attrs(&self) -> impl Iterator<Item = &AttrDef> {
        self.common.iter().chain(self.core.attributes.iter())
    }

    /// Where `path` points. A core-URN prefix means the core schema, an extension URN the
    /// extension, no URN the core schema only; `urn:...:Ext` with no further name (or a
    /// path whose `urn:name` spells an extension URN) is the whole extension.
    pub fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let Some(urn) = path.urn.as_deref() else {
            return self.resolve_in(None, &path.name, path.sub.as_deref());
        };
        if path.name.is_empty() {
            let ext = self.extension(urn)?;
            return Some(Resolved {
                extension: Some(ext),
                attr: None,
                sub: None,
            });
        }
        if self.is_core_urn(urn) {
            return self.resolve_in(None, &path.name, path.sub.as_deref());
        }
        if let Some(ext) = self.extension(urn) {
            return self.resolve_in(Some(ext), &path.name, path.sub.as_deref());
        }
        if path.sub.is_none() {
            let joined = format!("{urn}:{}", path.name);
            if let Some(ext) = self.extension(&joined) {
                return Some(Resolved {
                    extension: Some(ext),
                    attr: None,
                    sub: None,
                });
            }
        }
        None
    }

    fn resolve_in<'a>(
        &'a self,
        ext: Option<&'a SchemaDef>,
        name: &str,
        sub: Option<&str>,
    ) -> Option<Resolved<'a>> {
        let attr = match ext {
            Some(e) => find_def(&e.attributes, name)?,
            None => self.top_level(name)?,
        };
        let sub = match sub {
            Some(s) => Some(lookup_sub(attr, s)?),
            None => None,
        };
        Some(Resolved {
            extension: ext,
            attr: Some(attr),
            sub,
        })
    }

    /// The definition `path` names: the sub-attribute when it has one, else the attribute.
    pub fn lookup(&self, path: &AttrPath) -> Option<&AttrDef> {
        let r = self.resolve(path)?;
        r.sub.or(r.attr)
    }

    /// RFC 7643 §7 representations of the core schema and the extensions.
    pub fn to_scim_json(&self, base_url: &str) -> Vec<Value> {
        std::iter::once(&self.core)
            .chain(self.extensions.iter())
            .map(|s| s.to_scim_json(base_url))
            .collect()
    }

    /// Validates and cleans a POST/PUT body (RFC 7643 §2, RFC 7644 §3.3, §3.5.1): attribute
    /// names in the schema's spelling, values type-checked, `null` and empty arrays dropped
    /// (unassigned, RFC 7643 §2.5), read-only attributes and `schemas` dropped, unknown
    /// attributes kept, dropped or refused per `opts`.
    pub fn normalize_write(&self, body: Value, opts: &WriteOptions) -> Result<Value, ScimError> {
        if !body.is_object() {
            return Err(ScimError::invalid_syntax(
                "The request body must be a JSON object",
            ));
        }
        check_depth(&body)?;
        let Value::Object(obj) = body else {
            return Err(ScimError::invalid_syntax(
                "The request body must be a JSON object",
            ));
        };
        let mut out = Map::new();
        for (key, value) in obj {
            if key.eq_ignore_ascii_case("schemas") {
                continue;
            }
            if let Some(ext) = self.extension(&key) {
                let cleaned = match value {
                    Value::Null => continue,
                    Value::Object(inner) => normalize_members(
                        &ext.attributes,
                        inner,
                        opts,
                        Some((&Label::new(&ext.id), ":")),
                    )?,
                    _ => {
                        return Err(ScimError::invalid_value(format!(
                            "Extension '{}' must be a JSON object",
                            ext.id
                        )));
                    }
                };
                if !cleaned.is_empty() {
                    insert_once(&mut out, ext.id.clone(), Value::Object(cleaned))?;
                }
                continue;
            }
            let def = self.top_level(&key);
            normalize_member(def, key, value, opts, None, &mut out)?;
        }
        Ok(Value::Object(out))
    }

    /// The first schema-required attribute `v` lacks (`null`, `""`, `[]` count as missing),
    /// in the schema's spelling (`userName`, `urn:...:attr`, `name.givenName`).
    pub fn check_required(&self, v: &Value) -> Result<(), String> {
        check_required_in(self.top_level_attrs(), v, "")?;
        for ext in &self.extensions {
            if let Some(obj) = get_ci(v, &ext.id) {
                check_required_in(ext.attributes.iter(), obj, &format!("{}:", ext.id))?;
            }
        }
        Ok(())
    }

    /// True when [`check_immutable`](Self::check_immutable) has anything to compare: an
    /// immutable attribute, directly or inside a single-valued complex one.
    pub fn has_immutable(&self) -> bool {
        fn any<'a>(mut defs: impl Iterator<Item = &'a AttrDef>) -> bool {
            defs.any(|d| {
                d.mutability == Mutability::Immutable
                    || (d.is_complex() && !d.multi_valued && any(d.sub_attributes.iter()))
            })
        }
        any(self.top_level_attrs()) || self.extensions.iter().any(|e| any(e.attributes.iter()))
    }

    /// RFC 7644 §3.5.1: an immutable attribute that has a value may only be given that same
    /// value again (400 `mutability`). An immutable attribute absent from `new` is not a
    /// change here: the caller carries the stored value over.
    pub fn check_immutable(&self, old: &Value, new: &Value) -> Result<(), ScimError> {
        check_immutable_in(self.top_level_attrs(), old, new, "")?;
        for ext in &self.extensions {
            if let (Some(o), Some(n)) = (get_ci(old, &ext.id), get_ci(new, &ext.id)) {
                check_immutable_in(ext.attributes.iter(), o, n, &format!("{}:", ext.id))?;
            }
        }
        Ok(())
    }
}

impl SchemaInfo for ResourceSchemas {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        self.lookup(path).map(AttrDef::info)
    }
}

// ---------------------------------------------------------------------------------------
// Value checking, shared with PATCH
// ---------------------------------------------------------------------------------------

/// 400 `invalidValue` when `v` nests deeper than [`MAX_DEPTH`]. Recursion stops at the limit.
pub fn check_depth(v: &Value) -> Result<(), ScimError> {
    fn within(v: &Value, budget: usize) -> bool {
        match v {
            Value::Array(a) => budget > 0 && a.iter().all(|x| within(x, budget - 1)),
            Value::Object(m) => budget > 0 && m.values().all(|x| within(x, budget - 1)),
            _ => true,
        }
    }
    if within(v, MAX_DEPTH) {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "The request body nests deeper than {MAX_DEPTH} levels"
        )))
    }
}

/// True when `s` is a schema URN alone (`urn:NID:NSS`, nothing after it), for names the
/// attribute grammar cannot split (`urn:scim:schemas:extension:atlassian-external:1.0`).
pub fn is_bare_urn(s: &str) -> bool {
    s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        && s.split(':').count() >= 3
        && s.split(':').all(|seg| !seg.is_empty())
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '.' | '_' | '~' | '%' | '+')
        })
}

/// The path naming a whole schema (a bare URN): the URN with an empty attribute name.
pub fn urn_path(urn: &str) -> AttrPath {
    AttrPath {
        urn: Some(urn.to_string()),
        name: String::new(),
        sub: None,
    }
}

/// The value of `obj`'s member `name` (case-insensitive), if `obj` is an object.
pub fn get_ci<'v>(obj: &'v Value, name: &str) -> Option<&'v Value> {
    obj.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The key in `map` that spells `name` case-insensitively.
pub fn find_key(map: &Map<String, Value>, name: &str) -> Option<String> {
    map.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// True when `v` carries a value (not `null`, `""` or `[]`).
pub fn has_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

/// Equality with the attribute's case rules: strings of a non-`caseExact` attribute compare
/// case-insensitively, everything else as JSON.
pub fn values_equal(def: &AttrDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !def.case_exact => {
            x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}

/// An attribute's name in error messages (`emails.value`, `urn:…:User:manager.value`), put
/// together only when an error is reported, so valid writes format nothing.
#[derive(Debug, Clone, Copy)]
struct Label<'a> {
    /// The enclosing attribute or extension, and the separator after it (`.` or `:`).
    parent: Option<(&'a Label<'a>, &'static str)>,
    name: &'a str,
}

impl<'a> Label<'a> {
    fn new(name: &'a str) -> Label<'a> {
        Label { parent: None, name }
    }
}

impl std::fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some((parent, sep)) = self.parent {
            write!(f, "{parent}{sep}")?;
        }
        f.write_str(self.name)
    }
}

/// Type-checks one value of `def` (the whole value: an array for multi-valued attributes)
/// and returns it cleaned; `None` when it is unassigned (`null`, `[]`, `{}`). `label` names
/// the attribute in errors.
pub fn check_value(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &str,
) -> Result<Option<Value>, ScimError> {
    check_value_at(def, value, opts, &Label::new(label))
}

/// [`check_value`] with a label formatted only on error.
fn check_value_at(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &Label<'_>,
) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi_valued {
        if value.is_array() {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{label}' is single-valued; a JSON array is not allowed"
            )));
        }
        return check_single(def, value, opts, label);
    }
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value(format!(
            "Attribute '{label}' is multi-valued; expected a JSON array"
        )));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(ScimError::invalid_value(format!(
                "Attribute '{label}' takes single values, not nested arrays"
            )));
        }
        if let Some(v) = check_single(def, item, opts, label)? {
            out.push(v);
        }
    }
    check_one_primary(&out, label)?;
    Ok(if out.is_empty() {
        None
    } else {
        Some(Value::Array(out))
    })
}

/// RFC 7643 §2.4: the primary value `true` appears at most once (400 `invalidValue`).
pub fn check_one_primary(items: &[Value], label: &dyn std::fmt::Display) -> Result<(), ScimError> {
    let primaries = items.iter().filter(|v| is_primary(v)).count();
    if primaries > 1 {
        return Err(ScimError::invalid_value(format!(
            "At most one value of '{label}' may have primary true"
        )));
    }
    Ok(())
}

/// True when an element of a multi-valued attribute has `primary: true`.
pub fn is_primary(v: &Value) -> bool {
    get_ci(v, "primary").and_then(Value::as_bool) == Some(true)
}

/// Type-checks one single value of `def`.
fn check_single(
    def: &AttrDef,
    value: Value,
    opts: &WriteOptions,
    label: &Label<'_>,
) -> Result<Option<Value>, ScimError> {
    let wrong =
        |what: &str| ScimError::invalid_value(format!("Attribute '{label}' must be {what}"));
    let v = match def.kind {
        AttrKind::String | AttrKind::Reference | AttrKind::Binary => match value {
            Value::String(_) => value,
            _ => return Err(wrong("a string")),
        },
        AttrKind::Boolean => match value {
            Value::Bool(_) => value,
            Value::String(s) if opts.string_booleans && s.eq_ignore_ascii_case("true") => {
                Value::Bool(true)
            }
            Value::String(s) if opts.string_booleans && s.eq_ignore_ascii_case("false") => {
                Value::Bool(false)
            }
            _ => return Err(wrong("a boolean")),
        },
        AttrKind::Integer => match &value {
            Value::Number(n) if n.is_i64() || n.is_u64() => value,
            _ => return Err(wrong("an integer")),
        },
        AttrKind::Decimal => match value {
            Value::Number(_) => value,
            _ => return Err(wrong("a number")),
        },
        AttrKind::DateTime => match &value {
            Value::String(s) if OffsetDateTime::parse(s, &Rfc3339).is_ok() => value,
            _ => return Err(wrong("an RFC 3339 dateTime string")),
        },
        AttrKind::Complex => match value {
            Value::Object(m) => {
                let cleaned = normalize_members(&def.sub_attributes, m, opts, Some((label, ".")))?;
                if cleaned.is_empty() {
                    return Ok(None);
                }
                Value::Object(cleaned)
            }
            _ => return Err(wrong("a JSON object")),
        },
    };
    Ok(Some(v))
}

/// Cleans the members of an object whose attributes are `defs`; `parent` names the enclosing
/// attribute or extension in errors (`name` + `.`, `urn:...` + `:`).
fn normalize_members(
    defs: &[AttrDef],
    obj: Map<String, Value>,
    opts: &WriteOptions,
    parent: Option<(&Label<'_>, &'static str)>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, value) in obj {
        let def = find_def(defs, &key);
        normalize_member(def, key, value, opts, parent, &mut out)?;
    }
    Ok(out)
}

/// Cleans one member into `out`: known ones checked and renamed, unknown ones per `opts`.
fn normalize_member(
    def: Option<&AttrDef>,
    key: String,
    value: Value,
    opts: &WriteOptions,
    parent: Option<(&Label<'_>, &'static str)>,
    out: &mut Map<String, Value>,
) -> Result<(), ScimError> {
    match def {
        Some(def) => {
            if def.is_read_only() {
                return Ok(());
            }
            let label = Label {
                parent,
                name: &def.name,
            };
            if let Some(v) = check_value_at(def, value, opts, &label)? {
                insert_once(out, def.name.clone(), v)?;
            }
            Ok(())
        }
        None => match opts.unknown {
            UnknownAttributes::Keep => {
                if !value.is_null() {
                    insert_once(out, key, value)?;
                }
                Ok(())
            }
            UnknownAttributes::Drop => Ok(()),
            UnknownAttributes::Reject => Err(ScimError::invalid_syntax(format!(
                "Unknown attribute '{}'",
                Label { parent, name: &key }
            ))),
        },
    }
}

/// Inserts `key`, refusing a second spelling of the same name (names are case-insensitive).
fn insert_once(out: &mut Map<String, Value>, key: String, value: Value) -> Result<(), ScimError> {
    if find_key(out, &key).is_some() {
        return Err(ScimError::invalid_syntax(format!(
            "Attribute '{key}' is given more than once (attribute names are case-insensitive)"
        )));
    }
    out.insert(key, value);
    Ok(())
}

fn check_required_in<'a>(
    defs: impl Iterator<Item = &'a AttrDef>,
    v: &Value,
    prefix: &str,
) -> Result<(), String> {
    for def in defs {
        let value = get_ci(v, &def.name);
        if def.required && !has_value(value) {
            return Err(format!("{prefix}{}", def.name));
        }
        if def.is_complex() && !def.sub_attributes.iter().any(|s| s.required) {
            continue;
        }
        let elements: Vec<&Value> = match value {
            Some(Value::Array(a)) if def.is_complex() => a.iter().collect(),
            Some(o @ Value::Object(_)) if def.is_complex() => vec![o],
            _ => continue,
        };
        for e in elements {
            for sub in def.sub_attributes.iter().filter(|s| s.required) {
                if !has_value(get_ci(e, &sub.name)) {
                    return Err(format!("{prefix}{}.{}", def.name, sub.name));
                }
            }
        }
    }
    Ok(())
}

fn check_immutable_in<'a>(
    defs: impl Iterator<Item = &'a AttrDef>,
    old: &Value,
    new: &Value,
    prefix: &str,
) -> Result<(), ScimError> {
    for def in defs {
        let (o, n) = (get_ci(old, &def.name), get_ci(new, &def.name));
        if def.mutability == Mutability::Immutable {
            if let (true, true, Some(o), Some(n)) = (has_value(o), has_value(n), o, n) {
                if !values_equal(def, o, n) {
                    return Err(ScimError::mutability(format!(
                        "Attribute '{prefix}{}' is immutable and already has a value",
                        def.name
                    )));
                }
            }
            continue;
        }
        // Sub-attributes of a single-valued complex attribute; elements of multi-valued ones
        // have no identity across a replace, so their immutable sub-attributes are not compared.
        if def.is_complex() && !def.multi_valued {
            if let (Some(o), Some(n)) = (o, n) {
                check_immutable_in(
                    def.sub_attributes.iter(),
                    o,
                    n,
                    &format!("{prefix}{}.", def.name),
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ScimType;

    fn profile(name: &str) -> Profile {
        Profile::builtin(name).expect("builtin profile")
    }

    fn users(name: &str) -> ResourceSchemas {
        ResourceSchemas::user(&profile(name))
    }

    fn path(urn: Option<&str>, name: &str, sub: Option<&str>) -> AttrPath {
        AttrPath {
            urn: urn.map(str::to_string),
            name: name.to_string(),
            sub: sub.map(str::to_string),
        }
    }

    fn opts(unknown: UnknownAttributes) -> WriteOptions {
        WriteOptions {
            unknown,
            string_booleans: false,
        }
    }

    fn assert_err(e: &ScimError, status: u16, t: ScimType, mentions: &str) {
        assert_eq!(e.status.as_u16(), status, "{e}");
        assert_eq!(e.scim_type, Some(t), "{e}");
        assert!(e.detail.contains(mentions), "{e} should mention {mentions}");
    }

    #[test]
    fn user_schema_has_every_rfc_7643_user_attribute_in_order() {
        let s = users("generic");
        let names: Vec<&str> = s.core.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "userName",
                "name",
                "displayName",
                "nickName",
                "profileUrl",
                "title",
                "userType",
                "preferredLanguage",
                "locale",
                "timezone",
                "active",
                "password",
                "emails",
                "phoneNumbers",
                "ims",
                "photos",
                "addresses",
                "groups",
                "entitlements",
                "roles",
                "x509Certificates"
            ]
        );
        let name = s.top_level("name").expect("name");
        let subs: Vec<&str> = name
            .sub_attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            subs,
            [
                "formatted",
                "familyName",
                "givenName",
                "middleName",
                "honorificPrefix",
                "honorificSuffix"
            ]
        );
        let emails = s.top_level("emails").expect("emails");
        assert!(emails.multi_valued && emails.is_complex());
        assert_eq!(
            lookup_sub(emails, "type").map(|t| t.canonical_values.clone()),
            Some(vec!["work".into(), "home".into(), "other".into()])
        );
        assert_eq!(
            lookup_sub(s.top_level("x509Certificates").expect("x509"), "value").map(|v| v.kind),
            Some(AttrKind::Binary)
        );
        assert_eq!(
            lookup_sub(s.top_level("photos").expect("photos"), "value").map(|v| v.kind),
            Some(AttrKind::Reference)
        );
    }

    #[test]
    fn common_attributes_follow_rfc_7643_section_3_1() {
        let s = users("generic");
        let id = s.top_level("id").expect("id");
        assert_eq!(
            (id.mutability, id.returned, id.case_exact, id.uniqueness),
            (
                Mutability::ReadOnly,
                Returned::Always,
                true,
                Uniqueness::Server
            )
        );
        let ext = s.top_level("externalId").expect("externalId");
        assert!(ext.case_exact && ext.mutability == Mutability::ReadWrite);
        let meta = s.top_level("meta").expect("meta");
        assert!(meta.is_read_only());
        assert!(meta.sub_attributes.iter().all(AttrDef::is_read_only));
        assert_eq!(
            lookup_sub(meta, "created").map(|c| c.kind),
            Some(AttrKind::DateTime)
        );
    }

    #[test]
    fn user_name_is_required_case_insensitive_and_server_unique() {
        let s = users("generic");
        let u = s.top_level("userName").expect("userName");
        assert!(u.required && !u.case_exact);
        assert_eq!(u.uniqueness, Uniqueness::Server);
    }

    #[test]
    fn password_is_write_only_and_never_returned() {
        let p = users("generic")
            .top_level("password")
            .cloned()
            .expect("password");
        assert_eq!(
            (p.mutability, p.returned),
            (Mutability::WriteOnly, Returned::Never)
        );
    }

    #[test]
    fn user_groups_are_read_only_down_to_their_sub_attributes() {
        let s = users("generic");
        let g = s.top_level("groups").expect("groups");
        assert!(g.is_read_only() && g.multi_valued);
        assert!(g.sub_attributes.iter().all(AttrDef::is_read_only));
        assert_eq!(
            lookup_sub(g, "$REF").map(|r| r.reference_types.clone()),
            Some(vec!["User".into(), "Group".into()])
        );
    }

    #[test]
    fn group_display_name_is_required_and_member_value_immutable() {
        let g = ResourceSchemas::group(&profile("generic"));
        assert_eq!(
            (g.resource_type.as_str(), g.endpoint.as_str()),
            ("Group", "/Groups")
        );
        assert!(g.top_level("displayName").expect("displayName").required);
        let members = g.top_level("members").expect("members");
        assert!(members.multi_valued);
        let names: Vec<&str> = members
            .sub_attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["value", "$ref", "display", "type"]);
        assert_eq!(
            lookup_sub(members, "value").map(|v| v.mutability),
            Some(Mutability::Immutable)
        );
        assert_eq!(
            lookup_sub(members, "type").map(|v| v.canonical_values.len()),
            Some(2)
        );
        assert!(g.extensions.is_empty());
    }

    #[test]
    fn enterprise_extension_is_present_only_when_the_profile_lists_it() {
        let generic = users("generic");
        let ids: Vec<&str> = generic.extensions.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, [ENTERPRISE_USER_URN]);
        let ent = &generic.extensions[0];
        let names: Vec<&str> = ent.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "employeeNumber",
                "costCenter",
                "organization",
                "division",
                "department",
                "manager"
            ]
        );
        let manager = find_def(&ent.attributes, "manager").expect("manager");
        assert!(
            lookup_sub(manager, "displayName")
                .expect("displayName")
                .is_read_only()
        );
        assert!(users("attio").extensions.is_empty());
    }

    #[test]
    fn elfsquad_extension_has_uuid_strings_and_a_boolean_is_admin() {
        let s = users("elfsquad");
        let ids: Vec<&str> = s.extensions.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, [ENTERPRISE_USER_URN, ELFSQUAD_USER_URN]);
        let elf = s.extension(ELFSQUAD_USER_URN).expect("elfsquad");
        for n in [
            "currencyIso",
            "languageIso",
            "crmAccountId",
            "crmContactId",
            "organizationId",
            "twoFactorAuthenticationStatus",
        ] {
            assert_eq!(
                find_def(&elf.attributes, n).map(|d| d.kind),
                Some(AttrKind::String),
                "{n}"
            );
        }
        assert_eq!(
            find_def(&elf.attributes, "isAdmin").map(|d| d.kind),
            Some(AttrKind::Boolean)
        );
    }

    #[test]
    fn atlassian_account_id_is_read_only_and_department_is_mirrored_top_level() {
        let s = users("atlassian");
        let ext = s.extension(ATLASSIAN_EXTERNAL_URN).expect("atlassian ext");
        assert!(ext.attributes.iter().all(AttrDef::is_read_only));
        assert_eq!(s.extensions.len(), 2);
        assert_eq!(
            s.top_level("department").map(|d| d.kind),
            Some(AttrKind::String)
        );
        assert!(s.top_level("organization").is_some());
        assert!(users("generic").top_level("department").is_none());
    }

    #[test]
    fn attio_app_role_is_a_core_string_with_canonical_values_and_emails_are_read_only() {
        let s = users("attio");
        let role = s.top_level("approle").expect("appRole");
        assert_eq!(role.name, "appRole");
        assert_eq!(role.kind, AttrKind::String);
        assert_eq!(role.canonical_values, ["admin", "member"]);
        assert!(s.top_level("emails").expect("emails").is_read_only());
        assert!(
            !users("generic")
                .top_level("emails")
                .expect("emails")
                .is_read_only()
        );
    }

    #[test]
    fn read_only_entries_accept_dotted_and_urn_qualified_names() {
        let mut s = users("generic");
        s.make_read_only("name.givenName");
        s.make_read_only(&format!("{ENTERPRISE_USER_URN}:department"));
        s.make_read_only("noSuchAttribute");
        let name = s.top_level("name").expect("name");
        assert!(
            lookup_sub(name, "givenName")
                .expect("givenName")
                .is_read_only()
        );
        assert!(
            !lookup_sub(name, "familyName")
                .expect("familyName")
                .is_read_only()
        );
        assert!(!name.is_read_only());
        let dept = s
            .lookup(&path(Some(ENTERPRISE_USER_URN), "department", None))
            .expect("department");
        assert!(dept.is_read_only());
    }

    #[test]
    fn lookup_is_case_insensitive_and_the_core_urn_means_the_core_schema() {
        let s = users("generic");
        assert_eq!(
            s.lookup(&path(None, "USERNAME", None))
                .map(|d| d.name.as_str()),
            Some("userName")
        );
        assert_eq!(
            s.lookup(&path(None, "name", Some("GIVENNAME")))
                .map(|d| d.name.as_str()),
            Some("givenName")
        );
        let core = path(
            Some("URN:ietf:params:scim:schemas:core:2.0:user"),
            "emails",
            Some("value"),
        );
        assert_eq!(s.lookup(&core).map(|d| d.name.as_str()), Some("value"));
        assert!(s.lookup(&path(None, "name", Some("nope"))).is_none());
        assert!(s.lookup(&path(None, "nope", None)).is_none());
    }

    #[test]
    fn lookup_with_an_extension_urn_selects_the_extension_and_bare_names_stay_in_core() {
        let s = users("generic");
        let dept = path(
            Some(&ENTERPRISE_USER_URN.to_uppercase()),
            "Department",
            None,
        );
        let r = s.resolve(&dept).expect("department");
        assert_eq!(
            r.extension.map(|e| e.id.as_str()),
            Some(ENTERPRISE_USER_URN)
        );
        assert_eq!(r.attr.map(|a| a.name.as_str()), Some("department"));
        assert!(s.lookup(&path(None, "department", None)).is_none());
        let mgr = path(Some(ENTERPRISE_USER_URN), "manager", Some("value"));
        assert_eq!(s.lookup(&mgr).map(|d| d.name.as_str()), Some("value"));
        // A bare extension URN, both as the grammar splits it and as one string.
        let split = path(
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0"),
            "User",
            None,
        );
        let whole = s.resolve(&split).expect("whole extension");
        assert!(whole.attr.is_none() && whole.extension.is_some());
        assert!(
            s.resolve(&urn_path(ENTERPRISE_USER_URN))
                .is_some_and(|r| r.attr.is_none())
        );
        assert!(
            s.lookup(&path(Some(ELFSQUAD_USER_URN), "isAdmin", None))
                .is_none()
        );
    }

    #[test]
    fn schema_info_gives_the_filter_evaluator_kind_case_and_multiplicity() {
        let s = users("generic");
        let info = |p: AttrPath| SchemaInfo::attribute(&s, &p);
        assert_eq!(
            info(path(None, "id", None)).map(|i| i.case_exact),
            Some(true)
        );
        assert_eq!(
            info(path(None, "emails", None)).map(|i| (i.kind, i.multi_valued)),
            Some((AttrKind::Complex, true))
        );
        assert_eq!(
            info(path(None, "emails", Some("value"))).map(|i| (i.kind, i.case_exact)),
            Some((AttrKind::String, false))
        );
        assert_eq!(
            info(path(None, "active", None)).map(|i| i.kind),
            Some(AttrKind::Boolean)
        );
        assert_eq!(
            info(path(None, "meta", Some("lastModified"))).map(|i| i.kind),
            Some(AttrKind::DateTime)
        );
        assert!(info(path(None, "unknown", None)).is_none());
    }

    #[test]
    fn schemas_json_follows_rfc_7643_section_7() {
        let s = users("generic");
        let docs = s.to_scim_json("http://h/scim/v2/");
        assert_eq!(docs.len(), 2);
        let user = &docs[0];
        assert_eq!(user["schemas"], json!([SCHEMA_URN]));
        assert_eq!(user["id"], CORE_USER_URN);
        assert_eq!(user["name"], "User");
        assert_eq!(
            user["meta"],
            json!({"resourceType": "Schema", "location": format!("http://h/scim/v2/Schemas/{CORE_USER_URN}")})
        );
        let attrs = user["attributes"].as_array().expect("attributes");
        assert!(
            attrs
                .iter()
                .all(|a| a["name"] != "id" && a["name"] != "meta"),
            "common attributes are not part of the schema"
        );
        let user_name = &attrs[0];
        assert_eq!(
            user_name,
            &json!({"name": "userName", "type": "string", "multiValued": false,
                    "description": user_name["description"], "required": true, "caseExact": false,
                    "mutability": "readWrite", "returned": "default", "uniqueness": "server"})
        );
        let emails = attrs
            .iter()
            .find(|a| a["name"] == "emails")
            .expect("emails");
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["subAttributes"].as_array().map(Vec::len), Some(4));
        assert_eq!(
            emails["subAttributes"][2]["canonicalValues"],
            json!(["work", "home", "other"])
        );
        let password = attrs
            .iter()
            .find(|a| a["name"] == "password")
            .expect("password");
        assert_eq!(
            (
                password["mutability"].as_str(),
                password["returned"].as_str()
            ),
            (Some("writeOnly"), Some("never"))
        );
        let profile_url = attrs
            .iter()
            .find(|a| a["name"] == "profileUrl")
            .expect("profileUrl");
        assert_eq!(profile_url["referenceTypes"], json!(["external"]));
        assert!(
            attrs
                .iter()
                .all(|a| a.get("subAttributes").is_some() == (a["type"] == "complex"))
        );
        assert_eq!(docs[1]["id"], ENTERPRISE_USER_URN);
        assert_eq!(docs[1]["name"], "EnterpriseUser");
    }

    /// `/Schemas` of every built-in profile, byte for byte: the User schemas (and the Group
    /// schema where the profile has groups) as `fixtures/golden/{profile}-schemas.json` holds them.
    #[test]
    fn schemas_json_of_every_profile_matches_its_golden_file() {
        for name in scimock_profile::PROFILE_NAMES {
            let p = profile(name);
            let base = format!("https://scim.example{}", p.concrete_base_path());
            let mut docs = ResourceSchemas::user(&p).to_scim_json(&base);
            if p.groups.is_some() {
                docs.extend(ResourceSchemas::group(&p).to_scim_json(&base));
            }
            let got = serde_json::to_string_pretty(&Value::Array(docs)).expect("serialises") + "\n";
            let file = format!(
                "{}/../fixtures/golden/{name}-schemas.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let want = std::fs::read_to_string(&file).expect("golden file");
            assert!(got == want, "{name}: /Schemas differs from {file}");
        }
    }

    #[test]
    fn normalize_refuses_a_body_that_is_not_an_object() {
        for body in [json!([]), json!("x"), json!(null), json!(1)] {
            let e = users("generic")
                .normalize_write(body, &opts(UnknownAttributes::Keep))
                .unwrap_err();
            assert_err(&e, 400, ScimType::InvalidSyntax, "JSON object");
        }
    }

    #[test]
    fn normalize_canonicalises_attribute_names_at_every_level() {
        let s = users("generic");
        let body = json!({
            "USERNAME": "bjensen",
            "Name": {"GivenName": "Barbara", "familyname": "Jensen"},
            "EMAILS": [{"VALUE": "b@example.com", "Primary": true}],
            "urn:IETF:params:scim:schemas:extension:ENTERPRISE:2.0:user": {"DEPARTMENT": "Tours", "Manager": {"VALUE": "m1"}}
        });
        let out = s
            .normalize_write(body, &opts(UnknownAttributes::Reject))
            .expect("valid");
        assert_eq!(
            out,
            json!({
                "userName": "bjensen",
                "name": {"givenName": "Barbara", "familyName": "Jensen"},
                "emails": [{"value": "b@example.com", "primary": true}],
                ENTERPRISE_USER_URN: {"department": "Tours", "manager": {"value": "m1"}}
            })
        );
    }

    #[test]
    fn normalize_drops_read_only_attributes_schemas_and_nulls() {
        let s = users("atlassian");
        let body = json!({
            "schemas": [CORE_USER_URN],
            "id": "client-chosen",
            "meta": {"created": "2020-01-01T00:00:00Z"},
            "userName": "u",
            "groups": [{"value": "g1"}],
            "displayName": null,
            "emails": [],
            "name": {"givenName": null},
            ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "abc"},
            ENTERPRISE_USER_URN: {"manager": {"value": "m", "displayName": "Boss"}}
        });
        let out = s
            .normalize_write(body, &opts(UnknownAttributes::Reject))
            .expect("valid");
        assert_eq!(
            out,
            json!({"userName": "u", ENTERPRISE_USER_URN: {"manager": {"value": "m"}}})
        );
    }

    #[test]
    fn normalize_type_errors_are_invalid_value_naming_the_attribute() {
        let s = users("generic");
        let cases = [
            (json!({"userName": 5}), "userName"),
            (json!({"active": "yes"}), "active"),
            (json!({"active": "true"}), "active"),
            (json!({"emails": {"value": "a@b"}}), "emails"),
            (json!({"emails": ["a@b"]}), "emails"),
            (json!({"name": "Barbara"}), "name"),
            (json!({"name": {"givenName": ["B"]}}), "name.givenName"),
            (json!({"displayName": ["B"]}), "displayName"),
            (json!({"emails": [{"primary": "yes"}]}), "emails.primary"),
            (json!({"emails": [[{"value": "x"}]]}), "emails"),
            (
                json!({"x509Certificates": [{"value": 12}]}),
                "x509Certificates.value",
            ),
            (
                json!({ENTERPRISE_USER_URN: {"department": 1}}),
                "department",
            ),
            (json!({ENTERPRISE_USER_URN: "Tours"}), ENTERPRISE_USER_URN),
        ];
        for (body, attr) in cases {
            let e = s
                .normalize_write(body.clone(), &opts(UnknownAttributes::Keep))
                .unwrap_err();
            assert_err(&e, 400, ScimType::InvalidValue, attr);
        }
    }

    #[test]
    fn normalize_checks_integer_decimal_and_rfc_3339_date_times() {
        let mut s = users("generic");
        s.core
            .attributes
            .push(AttrDef::new("hired", AttrKind::DateTime, "test"));
        s.core
            .attributes
            .push(AttrDef::new("level", AttrKind::Integer, "test"));
        s.core
            .attributes
            .push(AttrDef::new("score", AttrKind::Decimal, "test"));
        let o = opts(UnknownAttributes::Reject);
        let ok = json!({"hired": "2024-02-29T12:00:00.123+01:00", "level": 3, "score": 2.5});
        assert_eq!(s.normalize_write(ok.clone(), &o).expect("valid"), ok);
        for (body, attr) in [
            (json!({"hired": "2024-02-30T12:00:00Z"}), "hired"),
            (json!({"hired": "yesterday"}), "hired"),
            (json!({"hired": 1700000000}), "hired"),
            (json!({"level": 2.5}), "level"),
            (json!({"level": "3"}), "level"),
            (json!({"score": "2.5"}), "score"),
        ] {
            let e = s.normalize_write(body, &o).unwrap_err();
            assert_err(&e, 400, ScimType::InvalidValue, attr);
        }
    }

    #[test]
    fn string_booleans_are_coerced_only_when_the_profile_allows_them() {
        let s = users("adra");
        let lenient = WriteOptions::for_profile(&profile("adra"));
        assert!(lenient.string_booleans);
        let out = s
            .normalize_write(
                json!({"active": "FALSE", "emails": [{"value": "a@b", "primary": "True"}]}),
                &lenient,
            )
            .expect("valid");
        assert_eq!(
            out,
            json!({"active": false, "emails": [{"value": "a@b", "primary": true}]})
        );
        let strict = WriteOptions::for_profile(&profile("generic"));
        let e = users("generic")
            .normalize_write(json!({"active": "false"}), &strict)
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, "active");
        let e = s
            .normalize_write(json!({"active": "no"}), &lenient)
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, "active");
    }

    #[test]
    fn unknown_attributes_are_kept_dropped_or_rejected_per_profile() {
        let s = users("generic");
        let body = json!({"userName": "u", "favouriteColour": "blue", "name": {"nickname2": "x"}});
        let kept = s
            .normalize_write(body.clone(), &opts(UnknownAttributes::Keep))
            .expect("keep");
        assert_eq!(
            kept,
            json!({"userName": "u", "favouriteColour": "blue", "name": {"nickname2": "x"}})
        );
        let dropped = s
            .normalize_write(body.clone(), &opts(UnknownAttributes::Drop))
            .expect("drop");
        assert_eq!(dropped, json!({"userName": "u"}));
        let e = s
            .normalize_write(body, &opts(UnknownAttributes::Reject))
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidSyntax, "favouriteColour");
        let e = s
            .normalize_write(
                json!({"name": {"nickname2": "x"}}),
                &opts(UnknownAttributes::Reject),
            )
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidSyntax, "name.nickname2");
        assert_eq!(
            WriteOptions::for_profile(&profile("adra")).unknown,
            UnknownAttributes::Drop
        );
    }

    #[test]
    fn an_extension_the_resource_type_lacks_is_an_unknown_attribute() {
        let s = users("attio");
        let body = json!({"userName": "u", ENTERPRISE_USER_URN: {"department": "x"}});
        assert_eq!(
            s.normalize_write(body.clone(), &opts(UnknownAttributes::Drop))
                .expect("drop"),
            json!({"userName": "u"})
        );
        let e = s
            .normalize_write(body, &opts(UnknownAttributes::Reject))
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidSyntax, ENTERPRISE_USER_URN);
    }

    #[test]
    fn two_spellings_of_one_attribute_are_refused() {
        let e = users("generic")
            .normalize_write(
                json!({"userName": "a", "USERNAME": "b"}),
                &opts(UnknownAttributes::Keep),
            )
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidSyntax, "more than once");
    }

    #[test]
    fn more_than_one_primary_value_is_refused() {
        let body =
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]});
        let e = users("generic")
            .normalize_write(body, &opts(UnknownAttributes::Keep))
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, "primary");
    }

    #[test]
    fn bodies_nested_deeper_than_32_levels_are_refused() {
        let mut deep = json!("leaf");
        for _ in 0..40 {
            deep = json!({ "x": deep });
        }
        let e = users("generic")
            .normalize_write(
                json!({"userName": "u", "junk": deep}),
                &opts(UnknownAttributes::Keep),
            )
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, "32");
        let mut shallow = json!("leaf");
        for _ in 0..30 {
            shallow = json!([shallow]);
        }
        assert!(
            users("generic")
                .normalize_write(json!({"junk": shallow}), &opts(UnknownAttributes::Keep))
                .is_ok()
        );
    }

    #[test]
    fn check_required_names_the_missing_attribute() {
        let s = users("generic");
        assert_eq!(s.check_required(&json!({"userName": "u"})), Ok(()));
        assert_eq!(
            s.check_required(&json!({"displayName": "u"})),
            Err("userName".to_string())
        );
        assert_eq!(
            s.check_required(&json!({"userName": "  "})),
            Err("userName".to_string())
        );
        assert_eq!(
            s.check_required(&json!({"userName": null})),
            Err("userName".to_string())
        );
        assert_eq!(s.check_required(&json!({"USERNAME": "u"})), Ok(()));
        let g = ResourceSchemas::group(&profile("generic"));
        assert_eq!(
            g.check_required(&json!({"members": []})),
            Err("displayName".to_string())
        );
        let mut strict = users("generic");
        strict.make_read_only("nothing");
        if let Some(mgr) = strict.extensions[0]
            .attributes
            .iter_mut()
            .find(|a| a.name == "manager")
        {
            mgr.sub_attributes[0].required = true;
        }
        let body = json!({"userName": "u", ENTERPRISE_USER_URN: {"manager": {"displayName": "x"}}});
        assert_eq!(
            strict.check_required(&body),
            Err(format!("{ENTERPRISE_USER_URN}:manager.value"))
        );
    }

    #[test]
    fn check_immutable_refuses_changing_a_set_immutable_value() {
        let mut s = users("generic");
        if let Some(ext) = s.common.iter_mut().find(|a| a.name == "externalId") {
            ext.set_mutability(Mutability::Immutable);
        }
        assert!(s.has_immutable());
        let old = json!({"userName": "u", "externalId": "E1"});
        let e = s
            .check_immutable(&old, &json!({"externalId": "E2"}))
            .unwrap_err();
        assert_err(&e, 400, ScimType::Mutability, "externalId");
        // externalId is caseExact: a different case is a different value.
        assert!(
            s.check_immutable(&old, &json!({"externalId": "e1"}))
                .is_err()
        );
        assert!(
            s.check_immutable(&old, &json!({"externalId": "E1"}))
                .is_ok()
        );
        assert!(
            s.check_immutable(&old, &json!({"userName": "v"})).is_ok(),
            "absent is carried over"
        );
        assert!(
            s.check_immutable(&json!({}), &json!({"externalId": "E9"}))
                .is_ok(),
            "first value may be set"
        );
        // Sub-attributes of a single-valued complex attribute, in an extension.
        let mut s = users("generic");
        if let Some(mgr) = s.extensions[0]
            .attributes
            .iter_mut()
            .find(|a| a.name == "manager")
        {
            mgr.sub_attributes[0].set_mutability(Mutability::Immutable);
        }
        assert!(
            s.has_immutable(),
            "found inside a single-valued complex extension attribute"
        );
        let old = json!({ENTERPRISE_USER_URN: {"manager": {"value": "m1"}}});
        let e = s
            .check_immutable(
                &old,
                &json!({ENTERPRISE_USER_URN: {"manager": {"value": "m2"}}}),
            )
            .unwrap_err();
        assert_err(&e, 400, ScimType::Mutability, "manager.value");
        assert!(
            s.check_immutable(
                &old,
                &json!({ENTERPRISE_USER_URN: {"manager": {"value": "M1"}}})
            )
            .is_ok()
        );
    }

    #[test]
    fn bare_urn_detection_is_strict_and_never_panics() {
        assert!(is_bare_urn(ATLASSIAN_EXTERNAL_URN));
        assert!(is_bare_urn(ENTERPRISE_USER_URN));
        assert!(!is_bare_urn("urn:"));
        assert!(!is_bare_urn("urn:a"));
        assert!(!is_bare_urn("urn::b"));
        assert!(!is_bare_urn("emails[type eq \"work\"]"));
        assert!(!is_bare_urn("ür"));
        assert!(!is_bare_urn("urn:x:y z"));
    }
}
