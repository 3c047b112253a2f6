//! Products named in a question: a model ("like Momo", "像陌陌") lends its kind of
//! product, a target ("beat WeChat", "取代微信") only the ground it holds. The names
//! and profiles come from the knowledge base's products.

use super::{clause, floor_boundary, Borrowed, Lexicon, Named, AIM_REACH};
use crate::lang::{Lang, Text};
use crate::profile::{Field, FieldCode, FieldSet, Profile, ProfileInput};

/// A product the reader knows by name, and the profile it lends.
#[derive(Debug, Clone)]
pub struct ProductHint {
    pub name: Text,
    pub profile: Profile,
    /// Fields the product's entry leaves to defaults: recomputed, never lent.
    pub assumed: FieldSet,
}

/// Fields a product named as a model lends its profile for: what kind of product it
/// is, not its situation (its stance, device, coverage or community are its own).
const BORROWED: [Field; 5] = [Field::Identity, Field::Audience, Field::Role, Field::Scenario, Field::Host];

impl Lexicon {
    /// Products named in the question lend what the words did not tell: a model
    /// ("like Momo", "像陌陌") its kind of product, a target ("beat WeChat", "取代微信")
    /// only the ground it holds.
    pub(super) fn lend(
        &self,
        text: &str,
        breaks: &[usize],
        named: &[Named],
        lang: Lang,
        input: &mut ProfileInput,
    ) -> Vec<Borrowed> {
        let mut borrowed = Vec::new();
        let mut seen: Vec<usize> = Vec::new();
        let mut named = named.to_vec();
        named.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let spans: Vec<(usize, usize)> = named.iter().map(|&(s, e, _)| (s, e)).collect();
        for (start, end, p) in named {
            // A name inside a longer one (微信 in 企业微信) is not named.
            let nested = spans.iter().any(|&(s, e)| s <= start && end <= e && e - s > end - start);
            if nested || seen.contains(&p) {
                continue;
            }
            seen.push(p);
            let (clause_start, clause_end) = clause(text, breaks, start);
            let before = &text[floor_boundary(text, start.saturating_sub(AIM_REACH).max(clause_start))..start];
            let after = &text[end..clause_end.max(end)];
            let target = self.target_before.is_match(before) || self.target_after.is_match(after);
            let product = &self.products[p];
            let lends: &[Field] = if target { &self.target_lends } else { &BORROWED };
            for &f in lends {
                // Fields the product's entry leaves to defaults are recomputed, not lent.
                if !input.is_set(f) && !product.assumed.contains(f) {
                    let code = product.profile.index(f);
                    input.set(f, code);
                    borrowed
                        .push(Borrowed { value: FieldCode::new(f, code), product: product.name.get(lang).to_string() });
                }
            }
        }
        borrowed
    }
}
