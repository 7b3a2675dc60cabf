//! Shaping: a stored resource in the vendor's wire shape (schemas order, meta fields,
//! timestamp precision, location style, mirrors, hidden attributes), before projection.

use super::Renderer;
use crate::clock;
use crate::doc::DocView;
use crate::store::{Kind, Stored};
use scimock_profile::vocab::{CORE_GROUP, CORE_USER};
use scimock_profile::{Precision, SchemasRule, UrlStyle};
use serde_json::{Map, Value};

impl Renderer {
    fn shape_meta(&self, kind: Kind, stored: &Stored, fields: &[String]) -> Value {
        let precision = self.profile.shape.timestamp_precision;
        let src = stored.view().get("meta");
        let mut meta = Map::new();
        for f in fields {
            match f.as_str() {
                "resourceType" => {
                    meta.insert(f.clone(), Value::String(kind.resource_type().into()));
                }
                "created" | "lastModified" => {
                    if let Some(t) = src.and_then(|m| m.get(f)).and_then(DocView::str) {
                        let t = if precision == Precision::Micros {
                            t.to_string()
                        } else {
                            clock::reformat(t, precision)
                        };
                        meta.insert(f.clone(), Value::String(t));
                    }
                }
                "location" => {
                    let style = self.profile.shape.location;
                    meta.insert(
                        f.clone(),
                        Value::String(self.resource_url(kind, &stored.id, style)),
                    );
                }
                "version" if self.profile.etag.supported => {
                    meta.insert(f.clone(), Value::String(stored.etag()));
                }
                _ => {}
            }
        }
        Value::Object(meta)
    }

    /// The profile-shaped user, before projection.
    pub fn shape_user(&self, stored: &Stored) -> Value {
        let shape = &self.profile.shape;
        let src = stored.view();
        let mut out = Map::new();
        let schemas: Vec<Value> = match shape.schemas {
            SchemasRule::Fixed => shape
                .fixed_schemas
                .iter()
                .map(|s| Value::String(s.clone()))
                .collect(),
            SchemasRule::Present => {
                let mut v = vec![Value::String(CORE_USER.into())];
                for (k, _) in src.members().filter(|(k, _)| k.starts_with("urn:")) {
                    v.push(Value::String(k.to_string()));
                }
                v
            }
        };
        out.insert("schemas".into(), Value::Array(schemas));
        out.insert("id".into(), Value::String(stored.id.to_string()));
        for (k, v) in src.members() {
            if k == "id" || k == "meta" || shape.hidden_attributes.iter().any(|h| h == k) {
                continue;
            }
            if (k == "groups" && !shape.user_groups) || (k == "roles" && !shape.echo_roles) {
                continue;
            }
            out.insert(k.to_string(), v.to_value());
        }
        for m in &shape.mirrors {
            if let Some(v) = out.get(&m.urn).and_then(|e| e.get(&m.sub)).cloned() {
                out.entry(m.top.clone()).or_insert(v);
            }
        }
        if !shape.email_primary {
            if let Some(emails) = out.get_mut("emails").and_then(Value::as_array_mut) {
                for e in emails.iter_mut().filter_map(Value::as_object_mut) {
                    e.shift_remove("primary");
                }
            }
        }
        for (k, v) in &shape.defaults_on_read {
            if k == "groups" && !shape.user_groups {
                continue;
            }
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if let Some(groups) = out.get_mut("groups").and_then(Value::as_array_mut) {
            for g in groups.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(id) = g.get("value").and_then(Value::as_str).map(str::to_string) {
                    let r = self.resource_url(Kind::Group, &id, UrlStyle::Absolute);
                    g.insert("$ref".into(), Value::String(r));
                }
            }
        }
        self.behaviour.shape_user(&mut out, stored);
        if !shape.meta_fields.is_empty() {
            out.insert(
                "meta".into(),
                self.shape_meta(Kind::User, stored, &shape.meta_fields),
            );
        }
        Value::Object(out)
    }

    /// The profile-shaped group, before projection.
    pub fn shape_group(&self, stored: &Stored) -> Value {
        let mut out = Map::new();
        out.insert(
            "schemas".into(),
            Value::Array(vec![Value::String(CORE_GROUP.into())]),
        );
        out.insert("id".into(), Value::String(stored.id.to_string()));
        let style = self
            .profile
            .groups
            .as_ref()
            .map_or(UrlStyle::Absolute, |g| g.member_ref);
        for (k, v) in stored.view().members() {
            if k == "id" || k == "meta" {
                continue;
            }
            out.insert(k.to_string(), v.to_value());
        }
        if let Some(members) = out.get_mut("members").and_then(Value::as_array_mut) {
            for m in members.iter_mut().filter_map(Value::as_object_mut) {
                let id = m.get("value").and_then(Value::as_str).map(str::to_string);
                let kind = match m.get("type").and_then(Value::as_str) {
                    Some("Group") => Kind::Group,
                    _ => Kind::User,
                };
                if let Some(id) = id {
                    m.insert(
                        "$ref".into(),
                        Value::String(self.resource_url(kind, &id, style)),
                    );
                }
            }
        }
        let fields = self
            .profile
            .groups
            .as_ref()
            .map(|g| g.meta_fields.clone())
            .unwrap_or_default();
        if !fields.is_empty() {
            out.insert("meta".into(), self.shape_meta(Kind::Group, stored, &fields));
        }
        Value::Object(out)
    }

    /// The profile-shaped resource of either kind.
    pub fn shape(&self, kind: Kind, stored: &Stored) -> Value {
        match kind {
            Kind::User => self.shape_user(stored),
            Kind::Group => self.shape_group(stored),
        }
    }
}
