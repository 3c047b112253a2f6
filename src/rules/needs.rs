//! What a decision needs ("What a decision needs" in the product brief).
//!
//! A field is needed when, given what is known, two of its codes would give a
//! different primary rule, positioning or outlook. The answer is found by running the
//! procedure itself over every way the unknown fields could be filled, so it can never
//! drift from the procedure. A field that is neither stated nor needed stays unknown:
//! the procedure runs with a stand-in for it, which by construction cannot change the
//! decision, and every front-end shows it as not stated.

use super::{outcome, Outlook, Positioning, RuleId};
use crate::profile::{Audience, Field, FieldSet, Host, Identity, Profile, ProfileInput};

/// A partial profile made whole: what the procedure runs on, and how each field came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// Every field has a value; an unknown one holds a stand-in.
    pub profile: Profile,
    /// Fields filled with their defaults.
    pub assumed: FieldSet,
    /// Fields nobody stated that the decision does not need.
    pub unknown: FieldSet,
}

type Decision = (RuleId, Positioning, Outlook);

/// Settle a partial profile, or name the fields the decision still needs (in
/// [`Field::ALL`] order, never empty).
pub fn settle(input: &ProfileInput) -> Result<Settled, Vec<Field>> {
    let known = |f: Field, all: usize| match input.get(f) {
        Some(i) => i..i + 1,
        None => 0..all,
    };
    let identities = known(Field::Identity, Identity::ALL.len());
    let audiences = known(Field::Audience, Audience::ALL.len());
    let decide = |i: usize, a: usize| -> Decision {
        let (p, _) = super::with_defaults(input, Identity::ALL[i], Audience::ALL[a]);
        outcome(&p).decision()
    };
    // A field is needed when, for some filling of the other unknown field, its codes
    // do not all decide alike.
    let varies = |outer: std::ops::Range<usize>, inner: std::ops::Range<usize>, swap: bool| {
        outer.into_iter().any(|o| {
            let mut decisions = inner.clone().map(|i| if swap { decide(o, i) } else { decide(i, o) });
            let first = decisions.next();
            decisions.any(|d| Some(d) != first)
        })
    };
    let mut needed = Vec::new();
    if !input.is_set(Field::Identity) && varies(audiences.clone(), identities.clone(), false) {
        needed.push(Field::Identity);
    }
    if !input.is_set(Field::Audience) && varies(identities.clone(), audiences.clone(), true) {
        needed.push(Field::Audience);
    }
    if !needed.is_empty() {
        return Err(needed);
    }
    let identity = input.get(Field::Identity).map_or(Identity::RealName, |i| Identity::ALL[i]);
    let audience = match input.get(Field::Audience) {
        Some(a) => Audience::ALL[a],
        None => stand_in_audience(input),
    };
    let (profile, mut assumed) = super::with_defaults(input, identity, audience);
    let mut unknown = FieldSet::default();
    // A default worked out from an unknown field is unknown too.
    for (field, derived) in [(Field::Identity, Field::Role), (Field::Audience, Field::Scenario)] {
        if !input.is_set(field) {
            unknown.insert(field);
            if assumed.contains(derived) {
                assumed.remove(derived);
                unknown.insert(derived);
            }
        }
    }
    Ok(Settled { profile, assumed, unknown })
}

/// When the audience is not needed the chat lives in a tool or a content platform
/// (step 1 decides whatever the audience); its reasons are worded for the host's
/// usual counterparties: a tool's customers, a platform's strangers (the article's
/// Douyin case).
fn stand_in_audience(input: &ProfileInput) -> Audience {
    match input.get(Field::Host).map(|h| Host::ALL[h]) {
        Some(Host::Media) => Audience::Strangers,
        _ => Audience::Customers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(pairs: &[(Field, &str)]) -> ProfileInput {
        ProfileInput::of(pairs).expect("valid codes")
    }

    #[test]
    fn a_hosted_chat_needs_nothing_else() {
        for host in ["tool", "media"] {
            let s = settle(&input(&[(Field::Host, host)])).expect("decided");
            assert_eq!(outcome(&s.profile).decision().0, RuleId::Corollary6);
            assert!(s.unknown.contains(Field::Identity) && s.unknown.contains(Field::Audience));
            assert!(s.unknown.contains(Field::Role) && s.unknown.contains(Field::Scenario));
            assert!(!s.assumed.contains(Field::Role) && s.assumed.contains(Field::Device));
        }
    }

    #[test]
    fn audiences_that_decide_alone_need_no_identity() {
        for audience in ["strangers", "subculture", "interest-community", "customers"] {
            let s = settle(&input(&[(Field::Audience, audience)])).expect(audience);
            assert!(s.unknown.contains(Field::Identity) && s.unknown.contains(Field::Role), "{audience}");
            assert!(!s.unknown.contains(Field::Audience) && s.assumed.contains(Field::Scenario));
        }
        for audience in ["everyone", "acquaintances", "enterprise", "campus"] {
            assert_eq!(settle(&input(&[(Field::Audience, audience)])), Err(vec![Field::Identity]), "{audience}");
        }
    }

    #[test]
    fn an_unknown_audience_is_needed_and_so_is_identity_unless_told() {
        assert_eq!(settle(&ProfileInput::default()), Err(vec![Field::Identity, Field::Audience]));
        for identity in Identity::CODES {
            assert_eq!(settle(&input(&[(Field::Identity, identity)])), Err(vec![Field::Audience]), "{identity}");
        }
    }

    /// Over every partial profile of identity and audience (with other fields stated
    /// or not): a settled profile decides like every way of filling its unknowns, and
    /// each field asked for has two codes that decide differently.
    #[test]
    fn settling_agrees_with_every_completion() {
        let extras: [&[(Field, &str)]; 6] = [
            &[],
            &[(Field::Host, "chat")],
            &[(Field::Host, "media")],
            &[(Field::Stance, "incumbent")],
            &[(Field::Device, "next-gen"), (Field::Coverage, "restricted")],
            &[(Field::Community, "unbacked")],
        ];
        let codes = |p: &ProfileInput, f: Field| -> Vec<&'static str> {
            match p.get(f) {
                Some(i) => vec![f.codes()[i]],
                None => f.codes().to_vec(),
            }
        };
        let decide = |p: &ProfileInput, i: &str, a: &str| {
            let mut q = *p;
            q.set_code(Field::Identity, i);
            q.set_code(Field::Audience, a);
            outcome(&crate::rules::complete(&q).expect("both set").0).decision()
        };
        for extra in extras {
            for i in std::iter::once(None).chain(Identity::CODES.iter().copied().map(Some)) {
                for a in std::iter::once(None).chain(Audience::CODES.iter().copied().map(Some)) {
                    let mut p = input(extra);
                    i.map(|c| p.set_code(Field::Identity, c));
                    a.map(|c| p.set_code(Field::Audience, c));
                    let (is, as_) = (codes(&p, Field::Identity), codes(&p, Field::Audience));
                    match settle(&p) {
                        Ok(s) => {
                            let d = outcome(&s.profile).decision();
                            for i in &is {
                                for a in &as_ {
                                    assert_eq!(decide(&p, i, a), d, "{p:?} filled with {i}, {a}");
                                }
                            }
                        }
                        Err(needed) => {
                            assert!(!needed.is_empty());
                            for f in needed {
                                let differs = if f == Field::Identity {
                                    as_.iter().any(|a| is.iter().any(|i| decide(&p, i, a) != decide(&p, is[0], a)))
                                } else {
                                    is.iter().any(|i| as_.iter().any(|a| decide(&p, i, a) != decide(&p, i, as_[0])))
                                };
                                assert!(differs, "{p:?}: {f} asked for but never decides");
                            }
                        }
                    }
                }
            }
        }
    }
}
