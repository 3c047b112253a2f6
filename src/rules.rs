//! The decision procedure: one profile in, every rule's verdict and the primary rule
//! out. Pure: no I/O, no text. Words come from the knowledge base, keyed by the
//! [`Outcome`] and the reason keys this module returns.

use crate::profile::{
    Audience, Community, Coverage, Device, Field, FieldSet, Host, Identity, Profile, Scenario, Stance,
};
use serde::Serialize;
use std::fmt;

mod defaults;
mod needs;
mod what_if;
pub use defaults::{complete, with_defaults};
pub use needs::{settle, Settled};
pub use what_if::{stated, what_if, Change, WhatIf};

/// The ten rules, in the order every trace lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RuleId {
    #[serde(rename = "law-1")]
    Law1,
    #[serde(rename = "corollary-1")]
    Corollary1,
    #[serde(rename = "corollary-2")]
    Corollary2,
    #[serde(rename = "corollary-3")]
    Corollary3,
    #[serde(rename = "corollary-4")]
    Corollary4,
    #[serde(rename = "law-2")]
    Law2,
    #[serde(rename = "corollary-5")]
    Corollary5,
    #[serde(rename = "corollary-6")]
    Corollary6,
    #[serde(rename = "law-3")]
    Law3,
    #[serde(rename = "corollary-7")]
    Corollary7,
}

impl RuleId {
    pub const ALL: [RuleId; 10] = [
        RuleId::Law1,
        RuleId::Corollary1,
        RuleId::Corollary2,
        RuleId::Corollary3,
        RuleId::Corollary4,
        RuleId::Law2,
        RuleId::Corollary5,
        RuleId::Corollary6,
        RuleId::Law3,
        RuleId::Corollary7,
    ];

    pub fn id(self) -> &'static str {
        match self {
            RuleId::Law1 => "law-1",
            RuleId::Corollary1 => "corollary-1",
            RuleId::Corollary2 => "corollary-2",
            RuleId::Corollary3 => "corollary-3",
            RuleId::Corollary4 => "corollary-4",
            RuleId::Law2 => "law-2",
            RuleId::Corollary5 => "corollary-5",
            RuleId::Corollary6 => "corollary-6",
            RuleId::Law3 => "law-3",
            RuleId::Corollary7 => "corollary-7",
        }
    }

    pub fn from_id(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.id() == id)
    }

    pub fn is_law(self) -> bool {
        matches!(self, RuleId::Law1 | RuleId::Law2 | RuleId::Law3)
    }

    /// The rule's number among laws (1–3) or corollaries (1–7).
    pub fn number(self) -> u8 {
        match self {
            RuleId::Law1 | RuleId::Corollary1 => 1,
            RuleId::Law2 | RuleId::Corollary2 => 2,
            RuleId::Law3 | RuleId::Corollary3 => 3,
            RuleId::Corollary4 => 4,
            RuleId::Corollary5 => 5,
            RuleId::Corollary6 => 6,
            RuleId::Corollary7 => 7,
        }
    }

    pub fn law(n: u8) -> Option<RuleId> {
        [RuleId::Law1, RuleId::Law2, RuleId::Law3].get(usize::from(n).checked_sub(1)?).copied()
    }

    pub fn corollary(n: u8) -> Option<RuleId> {
        RuleId::ALL.into_iter().filter(|r| !r.is_law()).nth(usize::from(n).checked_sub(1)?)
    }

    /// The law a corollary is derived from (a law is its own).
    pub fn parent(self) -> RuleId {
        match self {
            RuleId::Law1 | RuleId::Corollary1 | RuleId::Corollary2 | RuleId::Corollary3 | RuleId::Corollary4 => {
                RuleId::Law1
            }
            RuleId::Law2 | RuleId::Corollary5 | RuleId::Corollary6 => RuleId::Law2,
            RuleId::Law3 | RuleId::Corollary7 => RuleId::Law3,
        }
    }

    /// The corollaries under a law (empty for a corollary).
    pub fn corollaries(self) -> impl Iterator<Item = RuleId> {
        RuleId::ALL.into_iter().filter(move |r| self.is_law() && !r.is_law() && r.parent() == self)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

code_enum!(
    /// How a rule bears on the product.
    Verdict { Holds = "holds", Violated = "violated", NotApplicable = "not-applicable" }
);
code_enum!(
    /// Where the product stands.
    Positioning {
        NationalChat = "national-chat",
        EnterpriseCampus = "enterprise-campus",
        Subculture = "subculture",
        InterestCommunity = "interest-community",
        Tool = "tool",
        ToolWithChat = "tool-with-chat",
    }
);
code_enum!(
    /// How the outlook looks from that position.
    Outlook { Favorable = "favorable", Conditional = "conditional", Unfavorable = "unfavorable" }
);
code_enum!(
    /// Which branch of the procedure decided: the knowledge base words each one.
    Outcome {
        HostedTool = "hosted-tool",
        NationalNotRealName = "national-not-real-name",
        NationalRestricted = "national-restricted",
        NationalIncumbent = "national-incumbent",
        NationalNextGen = "national-next-gen",
        NationalChallenger = "national-challenger",
        Enterprise = "enterprise",
        Campus = "campus",
        EnterpriseCampusAnonymous = "enterprise-campus-anonymous",
        Subculture = "subculture",
        InterestBacked = "interest-backed",
        InterestUnbacked = "interest-unbacked",
        Strangers = "strangers",
        Customers = "customers",
    }
);

impl Positioning {
    /// Law 2's reading: is this a social position (else a tool)?
    pub fn is_social(self) -> bool {
        !matches!(self, Positioning::Tool | Positioning::ToolWithChat)
    }
}

macro_rules! reason {
    ($key:literal) => {
        const { Reason::of($key) }
    };
}

/// One rule's verdict in a trace, with the key of its reason in the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    pub verdict: Verdict,
    pub reason: Reason,
}

/// The result of the decision procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub primary: RuleId,
    pub positioning: Positioning,
    pub outlook: Outlook,
    pub outcome: Outcome,
    /// All ten rules, in [`RuleId::ALL`] order.
    pub findings: [Finding; 10],
}

impl Outcome {
    /// The primary rule, positioning and outlook this outcome stands for.
    pub fn decision(self) -> (RuleId, Positioning, Outlook) {
        use Outcome::*;
        use Outlook::*;
        use Positioning as P;
        match self {
            HostedTool => (RuleId::Corollary6, P::ToolWithChat, Conditional),
            NationalNotRealName => (RuleId::Corollary1, P::NationalChat, Unfavorable),
            NationalRestricted => (RuleId::Law1, P::NationalChat, Unfavorable),
            NationalIncumbent => (RuleId::Law1, P::NationalChat, Favorable),
            NationalNextGen => (RuleId::Law3, P::NationalChat, Conditional),
            NationalChallenger => (RuleId::Corollary7, P::NationalChat, Unfavorable),
            Enterprise => (RuleId::Corollary2, P::EnterpriseCampus, Favorable),
            Campus => (RuleId::Corollary2, P::EnterpriseCampus, Conditional),
            EnterpriseCampusAnonymous => (RuleId::Corollary2, P::EnterpriseCampus, Unfavorable),
            Subculture => (RuleId::Corollary3, P::Subculture, Conditional),
            InterestBacked => (RuleId::Corollary4, P::InterestCommunity, Favorable),
            InterestUnbacked => (RuleId::Corollary4, P::InterestCommunity, Unfavorable),
            Strangers => (RuleId::Corollary5, P::Tool, Conditional),
            Customers => (RuleId::Corollary6, P::ToolWithChat, Conditional),
        }
    }
}

/// Step 1–7 of the procedure: the first match wins.
pub fn outcome(p: &Profile) -> Outcome {
    use Outcome::*;
    if hosted(p) {
        return HostedTool;
    }
    match p.audience {
        Audience::Everyone | Audience::Acquaintances => {
            // Step 2a rules out only anonymity: real names at the core with nicknames on
            // top (`mixed`) is how WeChat and QQ work.
            if p.identity == Identity::Anonymous {
                NationalNotRealName
            } else if p.coverage == Coverage::Restricted {
                NationalRestricted
            } else if p.stance == Stance::Incumbent {
                NationalIncumbent
            } else if p.device == Device::NextGen {
                NationalNextGen
            } else {
                NationalChallenger
            }
        }
        Audience::Enterprise | Audience::Campus if p.identity == Identity::Anonymous => EnterpriseCampusAnonymous,
        Audience::Enterprise => Enterprise,
        Audience::Campus => Campus,
        Audience::Subculture => Subculture,
        Audience::InterestCommunity => match p.community {
            Community::Backed => InterestBacked,
            Community::Unbacked => InterestUnbacked,
        },
        Audience::Strangers => Strangers,
        Audience::Customers => Customers,
    }
}

fn hosted(p: &Profile) -> bool {
    matches!(p.host, Host::Tool | Host::Media)
}

/// A national-chat audience (step 2), whatever the host.
fn national_audience(p: &Profile) -> bool {
    matches!(p.audience, Audience::Everyone | Audience::Acquaintances)
}

/// A standalone app with a national-chat audience.
fn national(p: &Profile) -> bool {
    national_audience(p) && !hosted(p)
}

/// Assess a profile: the primary rule and a verdict with a reason for every rule.
pub fn assess(p: &Profile) -> Assessment {
    assess_with(p, FieldSet::default())
}

/// Assess a profile some of whose fields nobody stated (`unknown`: their values are
/// stand-ins that cannot change the decision): the reasons then do not lean on them.
pub fn assess_with(p: &Profile, unknown: FieldSet) -> Assessment {
    let outcome = outcome(p);
    let (primary, positioning, outlook) = outcome.decision();
    let findings = RuleId::ALL.map(|rule| {
        let (verdict, reason) = match unstated(rule, p, unknown, positioning) {
            Some(found) => found,
            None => evaluate(rule, p, positioning),
        };
        Finding { rule, verdict, reason }
    });
    Assessment { primary, positioning, outlook, outcome, findings }
}

/// Reasons for a hosted chat whose audience nobody stated: walked by its host alone,
/// as the article walks Douyin; and law 2 without a scenario nobody stated.
fn unstated(rule: RuleId, p: &Profile, unknown: FieldSet, positioning: Positioning) -> Option<(Verdict, Reason)> {
    use Verdict::*;
    let hosted_unstated = hosted(p) && unknown.contains(Field::Audience);
    let reason = match rule {
        RuleId::Law2 if unknown.contains(Field::Scenario) && !positioning.is_social() => {
            return Some((Holds, reason!("law-2.tool")))
        }
        RuleId::Corollary1 if hosted_unstated => reason!("corollary-1.hosted-unstated"),
        RuleId::Corollary2 if hosted_unstated => reason!("corollary-2.hosted-unstated"),
        RuleId::Corollary3 if hosted_unstated => reason!("corollary-3.hosted-unstated"),
        RuleId::Corollary4 if hosted_unstated => reason!("corollary-4.hosted-unstated"),
        RuleId::Corollary5 if hosted_unstated => reason!("corollary-5.hosted-unstated"),
        _ => return None,
    };
    Some((NotApplicable, reason))
}

/// One rule's verdict on a profile, and the key of its reason.
///
/// For chat inside a tool or a content platform (step 1), corollaries 1–4 are walked
/// the way the article walks Douyin: each says, in terms of the host and the audience,
/// why it does not decide the product. Those reasons never depend on identity, which a
/// hosted product's decision does not need.
fn evaluate(rule: RuleId, p: &Profile, positioning: Positioning) -> (Verdict, Reason) {
    use Verdict::*;
    let hosted = hosted(p);
    let national = national(p);
    let met_as_strangers = matches!(p.audience, Audience::Strangers | Audience::Customers);
    match rule {
        RuleId::Law1 => match () {
            _ if hosted => (NotApplicable, reason!("law-1.hosted")),
            _ if !national => (NotApplicable, reason!("law-1.narrow")),
            _ if p.coverage == Coverage::Restricted => (Violated, reason!("law-1.restricted")),
            _ if p.stance == Stance::Incumbent => (Holds, reason!("law-1.incumbent")),
            _ => (Holds, reason!("law-1.open")),
        },
        RuleId::Corollary1 => match () {
            _ if hosted && national_audience(p) => (NotApplicable, reason!("corollary-1.hosted")),
            _ if hosted && met_as_strangers => (NotApplicable, reason!("corollary-1.hosted-strangers")),
            _ if hosted => (NotApplicable, reason!("corollary-1.hosted-narrow")),
            _ if !national => (NotApplicable, reason!("corollary-1.narrow")),
            _ => match p.identity {
                Identity::RealName => (Holds, reason!("corollary-1.real-name")),
                Identity::Mixed => (Holds, reason!("corollary-1.mixed")),
                Identity::Anonymous => (Violated, reason!("corollary-1.not-real-name")),
            },
        },
        RuleId::Corollary2 => match p.audience {
            Audience::Enterprise | Audience::Campus if hosted => (NotApplicable, reason!("corollary-2.hosted")),
            _ if hosted && met_as_strangers => (NotApplicable, reason!("corollary-2.hosted-strangers")),
            Audience::Enterprise | Audience::Campus if p.identity == Identity::Anonymous => {
                (Violated, reason!("corollary-2.anonymous"))
            }
            Audience::Enterprise | Audience::Campus => (Holds, reason!("corollary-2.compelled")),
            _ => (NotApplicable, reason!("corollary-2.no-compulsion")),
        },
        RuleId::Corollary3 => match p.audience {
            Audience::Subculture if hosted => (NotApplicable, reason!("corollary-3.hosted")),
            Audience::Subculture => (Holds, reason!("corollary-3.subculture")),
            _ if hosted => (NotApplicable, reason!("corollary-3.hosted-other")),
            _ => (NotApplicable, reason!("corollary-3.other")),
        },
        RuleId::Corollary4 => match (p.audience, p.community) {
            (Audience::InterestCommunity, _) if hosted => (NotApplicable, reason!("corollary-4.hosted")),
            (Audience::InterestCommunity, Community::Backed) => (Holds, reason!("corollary-4.backed")),
            (Audience::InterestCommunity, Community::Unbacked) => (Violated, reason!("corollary-4.unbacked")),
            _ if hosted => (NotApplicable, reason!("corollary-4.hosted-other")),
            _ => (NotApplicable, reason!("corollary-4.other")),
        },
        RuleId::Law2 => match () {
            // The article files enterprise chat as social (企业社交) but campus chat as a tool (校园工具).
            _ if positioning.is_social() && p.audience != Audience::Campus => (Holds, reason!("law-2.social")),
            _ if matches!(p.scenario, Scenario::Social | Scenario::Interest) => {
                (Violated, reason!("law-2.social-ambition"))
            }
            _ if positioning.is_social() => (Holds, reason!("law-2.campus")),
            _ => (Holds, reason!("law-2.tool")),
        },
        RuleId::Corollary5 => match p.audience {
            Audience::Strangers if hosted => (NotApplicable, reason!("corollary-5.hosted")),
            Audience::Strangers => (Holds, reason!("corollary-5.strangers")),
            _ => (NotApplicable, reason!("corollary-5.other")),
        },
        RuleId::Corollary6 => match p.host {
            Host::Tool => (Holds, reason!("corollary-6.hosted")),
            Host::Media => (Holds, reason!("corollary-6.hosted-media")),
            Host::Chat if p.audience == Audience::Customers => (Holds, reason!("corollary-6.customers")),
            Host::Chat => (NotApplicable, reason!("corollary-6.standalone")),
        },
        RuleId::Law3 => match () {
            _ if !national => (NotApplicable, reason!("law-3.narrow")),
            _ if p.stance == Stance::Incumbent => (Holds, reason!("law-3.incumbent")),
            _ if p.device == Device::NextGen => (Holds, reason!("law-3.next-gen")),
            _ => (Violated, reason!("law-3.no-shift")),
        },
        RuleId::Corollary7 => match () {
            _ if !national => (NotApplicable, reason!("corollary-7.narrow")),
            _ if p.stance == Stance::Incumbent => (Holds, reason!("corollary-7.incumbent")),
            _ if p.device == Device::NextGen => (NotApplicable, reason!("corollary-7.shift")),
            _ => (Violated, reason!("corollary-7.challenger")),
        },
    }
}

/// Every reason key the procedure can return; the knowledge base must word each one.
pub const REASON_KEYS: &[&str] = &[
    "law-1.hosted",
    "law-1.restricted",
    "law-1.incumbent",
    "law-1.open",
    "law-1.narrow",
    "corollary-1.hosted",
    "corollary-1.hosted-strangers",
    "corollary-1.hosted-narrow",
    "corollary-1.real-name",
    "corollary-1.mixed",
    "corollary-1.not-real-name",
    "corollary-1.narrow",
    "corollary-2.compelled",
    "corollary-2.anonymous",
    "corollary-2.hosted",
    "corollary-2.hosted-strangers",
    "corollary-2.no-compulsion",
    "corollary-3.subculture",
    "corollary-3.hosted",
    "corollary-3.hosted-other",
    "corollary-3.other",
    "corollary-4.backed",
    "corollary-4.unbacked",
    "corollary-4.hosted",
    "corollary-4.hosted-other",
    "corollary-4.other",
    "law-2.social",
    "law-2.campus",
    "law-2.tool",
    "law-2.social-ambition",
    "corollary-5.strangers",
    "corollary-5.hosted",
    "corollary-5.other",
    "corollary-1.hosted-unstated",
    "corollary-2.hosted-unstated",
    "corollary-3.hosted-unstated",
    "corollary-4.hosted-unstated",
    "corollary-5.hosted-unstated",
    "corollary-6.hosted",
    "corollary-6.hosted-media",
    "corollary-6.customers",
    "corollary-6.standalone",
    "law-3.next-gen",
    "law-3.incumbent",
    "law-3.no-shift",
    "law-3.narrow",
    "corollary-7.challenger",
    "corollary-7.shift",
    "corollary-7.incumbent",
    "corollary-7.narrow",
];

/// A reason, by its index in [`REASON_KEYS`]. Made at compile time by [`reason!`], so
/// a misspelt key does not build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason(u8);

impl Reason {
    pub const fn of(key: &str) -> Reason {
        let mut i = 0;
        while i < REASON_KEYS.len() {
            if const_eq(REASON_KEYS[i], key) {
                return Reason(i as u8);
            }
            i += 1;
        }
        panic!("unknown reason key")
    }

    pub fn key(self) -> &'static str {
        REASON_KEYS[self.index()]
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
