//! What would change a verdict: every single-field change from a settled profile that
//! changes the primary rule or the outlook. It only re-runs the procedure, so it can
//! never contradict the verdict it is about.

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

/// Re-run the procedure with each field at each other code. A change after which the
/// decision would need a field nobody stated is left out: it would not be one change.
pub fn what_if(s: &Settled) -> WhatIf {
    let input = stated(s);
    let (primary, _, outlook) = outcome(&s.profile).decision();
    let mut changes = Vec::with_capacity(16);
    let mut steady = FieldSet::default();
    for field in Field::ALL {
        let from = (!s.unknown.contains(field)).then(|| s.profile.index(field));
        let mut moved = false;
        for to in (0..field.codes().len()).filter(|&to| Some(to) != from) {
            let mut changed = input;
            changed.set(field, to);
            let Ok(after) = settle(&changed) else { continue };
            let (p, positioning, o) = outcome(&after.profile).decision();
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

    #[test]
    fn an_unknown_field_changes_from_nothing() {
        let w = what_if(&settled(&[(Field::Audience, "strangers")]));
        assert!(w.steady.contains(Field::Identity), "no identity moves a stranger app");
        let host = w.changes.iter().find(|c| c.field == Field::Host).expect("a host moves it");
        assert_eq!(host.primary, RuleId::Corollary6);
    }
}
