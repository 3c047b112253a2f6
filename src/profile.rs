//! The product profile: nine fields, each a closed set of codes.
//!
//! Codes are part of every interface (CLI flags, slash-command choices, the verdict
//! JSON) and never change with the language. Labels and aliases live in the knowledge
//! base (`config/profile.toml`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the nine profile fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Identity,
    Audience,
    Role,
    Scenario,
    Host,
    Device,
    Stance,
    Coverage,
    Community,
}

impl Field {
    /// How many fields a profile has: the size of every per-field table.
    pub const COUNT: usize = 9;

    pub const ALL: [Field; Field::COUNT] = [
        Field::Identity,
        Field::Audience,
        Field::Role,
        Field::Scenario,
        Field::Host,
        Field::Device,
        Field::Stance,
        Field::Coverage,
        Field::Community,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            Field::Identity => "identity",
            Field::Audience => "audience",
            Field::Role => "role",
            Field::Scenario => "scenario",
            Field::Host => "host",
            Field::Device => "device",
            Field::Stance => "stance",
            Field::Coverage => "coverage",
            Field::Community => "community",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The codes this field accepts, in their canonical order.
    pub fn codes(self) -> &'static [&'static str] {
        match self {
            Field::Identity => Identity::CODES,
            Field::Audience => Audience::CODES,
            Field::Role => Role::CODES,
            Field::Scenario => Scenario::CODES,
            Field::Host => Host::CODES,
            Field::Device => Device::CODES,
            Field::Stance => Stance::CODES,
            Field::Coverage => Coverage::CODES,
            Field::Community => Community::CODES,
        }
    }

    /// Identity and audience have no default: an assessment needs both.
    pub const fn required(self) -> bool {
        matches!(self, Field::Identity | Field::Audience)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

code_enum!(
    /// Do users know each other's real identity?
    Identity { RealName = "real-name", Anonymous = "anonymous", Mixed = "mixed" }
);
code_enum!(
    /// Whom the product is for.
    Audience {
        Everyone = "everyone",
        Acquaintances = "acquaintances",
        Enterprise = "enterprise",
        Campus = "campus",
        Subculture = "subculture",
        InterestCommunity = "interest-community",
        Strangers = "strangers",
        Customers = "customers",
    }
);
code_enum!(
    /// Who a user is in the product.
    Role { SelfRole = "self", Avatar = "avatar", Employee = "employee", TeacherStudent = "teacher-student" }
);
code_enum!(
    /// What people use the chat for.
    Scenario {
        Social = "social",
        Interest = "interest",
        Work = "work",
        Teaching = "teaching",
        Transaction = "transaction",
        Service = "service",
    }
);
code_enum!(
    /// Where the chat lives.
    Host { Chat = "chat", Tool = "tool", Media = "media" }
);
code_enum!(
    /// The device form the product is built for.
    Device { Pc = "pc", Mobile = "mobile", NextGen = "next-gen" }
);
code_enum!(
    /// Whether the product already is the national chat app.
    Stance { Challenger = "challenger", Incumbent = "incumbent" }
);
code_enum!(
    /// Whether anyone can sign up.
    Coverage { Universal = "universal", Restricted = "restricted" }
);
code_enum!(
    /// Whether a real community already stands behind the product.
    Community { Backed = "backed", Unbacked = "unbacked" }
);

/// A complete profile: every field has a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Profile {
    pub identity: Identity,
    pub audience: Audience,
    pub role: Role,
    pub scenario: Scenario,
    pub host: Host,
    pub device: Device,
    pub stance: Stance,
    pub coverage: Coverage,
    pub community: Community,
}

impl Profile {
    /// The code of one field.
    pub fn code(&self, field: Field) -> &'static str {
        match field {
            Field::Identity => self.identity.code(),
            Field::Audience => self.audience.code(),
            Field::Role => self.role.code(),
            Field::Scenario => self.scenario.code(),
            Field::Host => self.host.code(),
            Field::Device => self.device.code(),
            Field::Stance => self.stance.code(),
            Field::Coverage => self.coverage.code(),
            Field::Community => self.community.code(),
        }
    }

    /// The index of one field's value within `field.codes()`.
    pub fn index(&self, field: Field) -> usize {
        match field {
            Field::Identity => self.identity.index(),
            Field::Audience => self.audience.index(),
            Field::Role => self.role.index(),
            Field::Scenario => self.scenario.index(),
            Field::Host => self.host.index(),
            Field::Device => self.device.index(),
            Field::Stance => self.stance.index(),
            Field::Coverage => self.coverage.index(),
            Field::Community => self.community.index(),
        }
    }

    /// This profile with `field` at the code of index `index` (within `field.codes()`).
    pub fn with(mut self, field: Field, index: usize) -> Profile {
        match field {
            Field::Identity => self.identity = Identity::ALL[index],
            Field::Audience => self.audience = Audience::ALL[index],
            Field::Role => self.role = Role::ALL[index],
            Field::Scenario => self.scenario = Scenario::ALL[index],
            Field::Host => self.host = Host::ALL[index],
            Field::Device => self.device = Device::ALL[index],
            Field::Stance => self.stance = Stance::ALL[index],
            Field::Coverage => self.coverage = Coverage::ALL[index],
            Field::Community => self.community = Community::ALL[index],
        }
        self
    }
}

/// A set of fields (which ones were assumed, recognised…).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct FieldSet(u16);

impl FieldSet {
    pub fn insert(&mut self, field: Field) {
        self.0 |= 1 << field.index();
    }
    pub fn remove(&mut self, field: Field) {
        self.0 &= !(1 << field.index());
    }
    pub fn contains(self, field: Field) -> bool {
        self.0 & (1 << field.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// One code of one field, by its index in `field.codes()`; serialised as
/// `{"field": "audience", "code": "strangers"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldCode {
    pub field: Field,
    pub code: usize,
}

impl FieldCode {
    /// # Panics
    /// If `code` is not an index into `field.codes()` (a programming error).
    pub fn new(field: Field, code: usize) -> FieldCode {
        assert!(code < field.codes().len(), "code index out of range");
        FieldCode { field, code }
    }

    pub fn code_str(self) -> &'static str {
        self.field.codes()[self.code]
    }
}

impl Serialize for FieldCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FieldCode", 2)?;
        st.serialize_field("field", self.field.name())?;
        st.serialize_field("code", self.code_str())?;
        st.end()
    }
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A partial profile as a user gives it: each field optional, by code index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProfileInput([Option<u8>; Field::COUNT]);

impl ProfileInput {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.0[field.index()].map(usize::from)
    }

    /// Set a field to the code at `index` in `field.codes()`.
    ///
    /// # Panics
    /// If `index` is not a valid code index for the field (a programming error).
    pub fn set(&mut self, field: Field, index: usize) {
        assert!(index < field.codes().len(), "code index out of range");
        self.0[field.index()] = Some(index as u8);
    }

    pub fn set_code(&mut self, field: Field, code: &str) -> bool {
        match field.codes().iter().position(|c| *c == code) {
            Some(i) => {
                self.set(field, i);
                true
            }
            None => false,
        }
    }

    /// A partial profile from (field, code) pairs; `None` if a code is not the field's.
    pub fn of(pairs: &[(Field, &str)]) -> Option<ProfileInput> {
        let mut p = ProfileInput::default();
        pairs.iter().all(|(f, c)| p.set_code(*f, c)).then_some(p)
    }

    pub fn clear(&mut self, field: Field) {
        self.0[field.index()] = None;
    }

    pub fn is_set(&self, field: Field) -> bool {
        self.0[field.index()].is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_round_trip() {
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(f));
            assert!(!f.codes().is_empty());
        }
    }
}
