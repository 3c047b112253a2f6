//! What would change a verdict: every single-field change from a settled profile that
//! changes the primary rule or the outlook. It re-runs the procedure on the profile
//! settling the changed input would give (taken directly when settling again could not
//! differ, which a test holds it to), so it can never contradict the verdict it is about.

use super::{outcome, settle, Outlook, Positioning, RuleId, Settled};
use crate::profile::{Field, FieldSet, ProfileInput};

/// One field changed, and where the product would then stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    /// The code index it has now (`None`: not stated).
    pub from: Option<usize>,
    pub to: usize,
    pub primary: RuleId,
    pub positioning: Positioning,
    pub outlook: Outlook,
}

/// Every change that moves the verdict, best outlook first, and the fields no value of
/// which moves it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WhatIf {
    pub changes: Vec<Change>,
    pub steady: FieldSet,
}

fn rank(o: Outlook) -> u8 {
    match o {
        Outlook::Favorable => 0,
        Outlook::Conditional => 1,
        Outlook::Unfavorable => 2,
    }
}

/// The fields as stated: assumed and unknown fields are left to be worked out again,
/// so changing the audience also changes the defaults that follow from it.
pub fn stated(s: &Settled) -> ProfileInput {
    let mut input = ProfileInput::default();
    for f in Field::ALL {
        if !s.assumed.contains(f) && !s.unknown.contains(f) {
            input.set(f, s.profile.index(f));
        }
    }
    input
}

/// Re-run the procedure with each field at each other code, on the changed input settled
/// again; or, with identity and audience stated, on the settled profile with that field
/// changed, which is the same and cheaper (the test
/// `changing_a_field_of_a_stated_core_is_settling_again` holds it so). A change after
/// which the decision would need a field nobody stated is left out: it would not be one
/// change.
pub fn what_if(s: &Settled) -> WhatIf {
    let input = stated(s);
    let (primary, _, outlook) = outcome(&s.profile).decision();
    // With identity and audience stated, settling needs no other field, and the
    // defaults follow from those two alone: changing any other field gives the settled
    // profile with that field changed, which is what settling again would give.
    let core_stated = input.is_set(Field::Identity) && input.is_set(Field::Audience);
    let mut changes = Vec::with_capacity(16);
    let mut steady = FieldSet::default();
    for field in Field::ALL {
        let from = (!s.unknown.contains(field)).then(|| s.profile.index(field));
        let mut moved = false;
        for to in (0..field.codes().len()).filter(|&to| Some(to) != from) {
            let after = if core_stated && !field.required() {
                s.profile.with(field, to)
            } else {
                let mut changed = input;
                changed.set(field, to);
                let Ok(after) = settle(&changed) else { continue };
                after.profile
            };
            let (p, positioning, o) = outcome(&after).decision();
            if p != primary || o != outlook {
                moved = true;
                changes.push(Change { field, from, to, primary: p, positioning, outlook: o });
            }
        }
        if !moved {
            steady.insert(field);
        }
    }
    changes.sort_by_key(|c| (rank(c.outlook), c.field, c.to));
    WhatIf { changes, steady }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(pairs: &[(Field, &str)]) -> Settled {
        settle(&ProfileInput::of(pairs).expect("valid codes")).expect("settled")
    }

    #[test]
    fn real_names_lift_corollary_1() {
        let w = what_if(&settled(&[(Field::Identity, "anonymous"), (Field::Audience, "everyone")]));
        let real = w
            .changes
            .iter()
            .find(|c| c.field == Field::Identity && Field::Identity.codes()[c.to] == "real-name")
            .expect("identity → real-name changes the verdict");
        assert_eq!((real.primary, real.outlook), (RuleId::Corollary7, Outlook::Unfavorable));
        // Becoming the incumbent is the one favourable change, and it comes first.
        assert_eq!(w.changes[0].outlook, Outlook::Favorable);
        assert!(w.steady.contains(Field::Role) && w.steady.contains(Field::Scenario));
    }

    #[test]
    fn every_change_is_what_the_procedure_says() {
        let s = settled(&[(Field::Identity, "real-name"), (Field::Audience, "interest-community")]);
        let w = what_if(&s);
        for c in &w.changes {
            let mut input = stated(&s);
            input.set(c.field, c.to);
            let (p, pos, o) = outcome(&settle(&input).unwrap().profile).decision();
            assert_eq!((p, pos, o), (c.primary, c.positioning, c.outlook));
            assert!(!w.steady.contains(c.field));
        }
        let unbacked = w.changes.iter().find(|c| c.field == Field::Community).expect("community matters");
        assert_eq!(unbacked.outlook, Outlook::Unfavorable);
        assert!(w.steady.contains(Field::Device) && w.steady.contains(Field::Stance));
    }

    /// The changes as the procedure makes them, settling every changed input again.
    fn settled_again(s: &Settled) -> Vec<(Field, usize, (RuleId, Positioning, Outlook))> {
        let input = stated(s);
        let mut out = Vec::new();
        for field in Field::ALL {
            let from = (!s.unknown.contains(field)).then(|| s.profile.index(field));
            for to in (0..field.codes().len()).filter(|&to| Some(to) != from) {
                let mut changed = input;
                changed.set(field, to);
                if let Ok(after) = settle(&changed) {
                    out.push((field, to, outcome(&after.profile).decision()));
                }
            }
        }
        out
    }

    /// What-if gives every change settling again gives (its shortcut where identity and
    /// audience are stated, settling where either is not): over every pair of them, each
    /// stated or not, and a spread of the other fields, each stated or left to its default.
    #[test]
    fn changing_a_field_of_a_stated_core_is_settling_again() {
        let others: Vec<Field> = Field::ALL.into_iter().filter(|f| !f.required()).collect();
        let combos: usize = others.iter().map(|f| f.codes().len() + 1).product();
        let mut checked = 0;
        for identity in 0..=Field::Identity.codes().len() {
            for audience in 0..=Field::Audience.codes().len() {
                for n in (identity * 7 + audience..combos).step_by(11) {
                    let mut input = ProfileInput::default();
                    for (f, code) in [(Field::Identity, identity), (Field::Audience, audience)] {
                        if code < f.codes().len() {
                            input.set(f, code);
                        }
                    }
                    let mut rest = n;
                    for &f in &others {
                        let k = f.codes().len() + 1;
                        if rest % k < f.codes().len() {
                            input.set(f, rest % k);
                        }
                        rest /= k;
                    }
                    let Ok(s) = settle(&input) else { continue };
                    let w = what_if(&s);
                    let (primary, _, outlook) = outcome(&s.profile).decision();
                    let moving: Vec<_> = settled_again(&s)
                        .into_iter()
                        .filter(|(_, _, (p, _, o))| (*p, *o) != (primary, outlook))
                        .collect();
                    let mut ours: Vec<_> =
                        w.changes.iter().map(|c| (c.field, c.to, (c.primary, c.positioning, c.outlook))).collect();
                    ours.sort_by_key(|(f, to, _)| (f.index(), *to));
                    assert_eq!(ours, moving, "{input:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 40_000, "{checked}");
    }

    #[test]
    fn an_unknown_field_changes_from_nothing() {
        let w = what_if(&settled(&[(Field::Audience, "strangers")]));
        assert!(w.steady.contains(Field::Identity), "no identity moves a stranger app");
        let host = w.changes.iter().find(|c| c.field == Field::Host).expect("a host moves it");
        assert_eq!(host.primary, RuleId::Corollary6);
    }
}
