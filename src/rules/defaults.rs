//! The defaults the article's reading implies for fields a user did not give: who
//! you are follows from identity, what you do from the audience. Identity and audience
//! have none; `needs` decides when they may stay unknown.

use crate::profile::{
    Audience, Community, Coverage, Device, Field, FieldSet, Host, Identity, Profile, ProfileInput, Role, Scenario,
    Stance,
};

/// Fill the optional fields with their defaults (domain rules), recording which
/// were assumed. Fails with the required fields that are missing.
pub fn complete(input: &ProfileInput) -> Result<(Profile, FieldSet), Vec<Field>> {
    let missing: Vec<Field> = Field::ALL.into_iter().filter(|f| f.required() && !input.is_set(*f)).collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    // Both are set: the stand-ins are never used.
    Ok(with_defaults(input, Identity::RealName, Audience::Everyone))
}

/// The profile with `identity` and `audience` where they are not set, and every
/// other field not set filled with its default (domain rules), recording which
/// fields were defaulted. Identity and audience never count as assumed.
pub fn with_defaults(input: &ProfileInput, identity: Identity, audience: Audience) -> (Profile, FieldSet) {
    let pick = |f: Field| input.get(f);
    let identity = pick(Field::Identity).map_or(identity, |i| Identity::ALL[i]);
    let audience = pick(Field::Audience).map_or(audience, |i| Audience::ALL[i]);
    let mut assumed = FieldSet::default();
    let mut or_default = |f: Field, default: usize| match pick(f) {
        Some(i) => i,
        None => {
            assumed.insert(f);
            default
        }
    };
    let role = or_default(
        Field::Role,
        match identity {
            Identity::Anonymous => Role::Avatar,
            Identity::RealName | Identity::Mixed => Role::SelfRole,
        }
        .index(),
    );
    let scenario = or_default(
        Field::Scenario,
        match audience {
            Audience::Enterprise => Scenario::Work,
            Audience::Campus => Scenario::Teaching,
            Audience::InterestCommunity => Scenario::Interest,
            Audience::Customers => Scenario::Transaction,
            _ => Scenario::Social,
        }
        .index(),
    );
    let host = or_default(
        Field::Host,
        match audience {
            Audience::Customers => Host::Tool,
            _ => Host::Chat,
        }
        .index(),
    );
    let device = or_default(Field::Device, Device::Mobile.index());
    let stance = or_default(Field::Stance, Stance::Challenger.index());
    let coverage = or_default(Field::Coverage, Coverage::Universal.index());
    let community = or_default(Field::Community, Community::Backed.index());
    let profile = Profile {
        identity,
        audience,
        role: Role::ALL[role],
        scenario: Scenario::ALL[scenario],
        host: Host::ALL[host],
        device: Device::ALL[device],
        stance: Stance::ALL[stance],
        coverage: Coverage::ALL[coverage],
        community: Community::ALL[community],
    };
    (profile, assumed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(Field, &str)]) -> ProfileInput {
        ProfileInput::of(pairs).expect("valid codes")
    }

    #[test]
    fn identity_and_audience_are_required() {
        assert_eq!(complete(&ProfileInput::default()).unwrap_err(), vec![Field::Identity, Field::Audience]);
        let only = input(&[(Field::Identity, "anonymous")]);
        assert_eq!(complete(&only).unwrap_err(), vec![Field::Audience]);
    }

    #[test]
    fn defaults_follow_identity_and_audience() {
        let cases = [
            ("anonymous", "strangers", "avatar", "social", "chat"),
            ("real-name", "enterprise", "self", "work", "chat"),
            ("mixed", "campus", "self", "teaching", "chat"),
            ("real-name", "interest-community", "self", "interest", "chat"),
            ("anonymous", "customers", "avatar", "transaction", "tool"),
            ("real-name", "everyone", "self", "social", "chat"),
        ];
        for (identity, audience, role, scenario, host) in cases {
            let (p, assumed) = complete(&input(&[(Field::Identity, identity), (Field::Audience, audience)])).unwrap();
            assert_eq!((p.role.code(), p.scenario.code(), p.host.code()), (role, scenario, host));
            assert_eq!(p.device, Device::Mobile);
            assert_eq!(p.stance, Stance::Challenger);
            assert_eq!(p.coverage, Coverage::Universal);
            assert_eq!(p.community, Community::Backed);
            assert_eq!(assumed.iter().count(), 7);
            assert!(!assumed.contains(Field::Identity));
        }
    }

    #[test]
    fn given_fields_are_not_assumed() {
        let (p, assumed) = complete(&input(&[
            (Field::Identity, "anonymous"),
            (Field::Audience, "strangers"),
            (Field::Role, "self"),
            (Field::Device, "next-gen"),
        ]))
        .unwrap();
        assert_eq!(p.role, Role::SelfRole);
        assert_eq!(p.device, Device::NextGen);
        assert!(!assumed.contains(Field::Role) && !assumed.contains(Field::Device));
        assert!(assumed.contains(Field::Scenario));
    }
}
