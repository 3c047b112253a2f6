//! Every branch of the decision procedure, and the shape of every trace.

use imlaws::profile::{Field, Profile, ProfileInput};
use imlaws::rules::{assess, assess_with, Outcome, RuleId, Verdict, REASON_KEYS};
use std::collections::BTreeSet;

fn profile(pairs: &[(&str, &str)]) -> Profile {
    let mut input = ProfileInput::default();
    for (field, code) in pairs {
        let f = Field::from_name(field).unwrap_or_else(|| panic!("field {field}"));
        assert!(input.set_code(f, code), "{field}={code}");
    }
    imlaws::rules::complete(&input).expect("identity and audience").0
}

fn decided(pairs: &[(&str, &str)]) -> (&'static str, &'static str, &'static str) {
    let a = assess(&profile(pairs));
    (a.primary.id(), a.positioning.code(), a.outlook.code())
}

#[test]
fn step_1_a_tool_or_media_host_is_a_tool_with_chat() {
    for host in ["tool", "media"] {
        for audience in ["everyone", "enterprise", "strangers", "interest-community"] {
            assert_eq!(
                decided(&[("identity", "real-name"), ("audience", audience), ("host", host)]),
                ("corollary-6", "tool-with-chat", "conditional"),
                "{host}/{audience}"
            );
        }
    }
}

#[test]
fn step_1_walks_corollaries_1_to_4_as_for_douyin() {
    let a = assess(&profile(&[("identity", "anonymous"), ("audience", "strangers"), ("host", "media")]));
    for f in &a.findings[1..5] {
        assert_eq!(f.verdict, Verdict::NotApplicable, "{}", f.rule);
        assert!(f.reason.key().contains("hosted"), "{} gives {}", f.rule, f.reason.key());
    }
    // The article's Douyin walk does not invoke corollary 5: the chat is the host's feature.
    assert_eq!((a.findings[6].verdict, a.findings[6].reason.key()), (Verdict::NotApplicable, "corollary-5.hosted"));
    assert_eq!(a.findings[7].reason.key(), "corollary-6.hosted-media");
}

/// Each rule's trace for chat inside a tool app or a content platform, for every
/// audience: corollaries 1–4 never hold (even when the audience is the one they are
/// about), each gives a hosted reason chosen by the audience, and corollary 6 decides.
#[test]
fn a_hosted_product_gets_a_hosted_reason_from_every_rule() {
    // audience -> corollary 1..4 reason keys
    let table: [(&str, [&str; 4]); 8] = [
        (
            "everyone",
            ["corollary-1.hosted", "corollary-2.no-compulsion", "corollary-3.hosted-other", "corollary-4.hosted-other"],
        ),
        (
            "acquaintances",
            ["corollary-1.hosted", "corollary-2.no-compulsion", "corollary-3.hosted-other", "corollary-4.hosted-other"],
        ),
        (
            "enterprise",
            ["corollary-1.hosted-narrow", "corollary-2.hosted", "corollary-3.hosted-other", "corollary-4.hosted-other"],
        ),
        (
            "campus",
            ["corollary-1.hosted-narrow", "corollary-2.hosted", "corollary-3.hosted-other", "corollary-4.hosted-other"],
        ),
        (
            "subculture",
            [
                "corollary-1.hosted-narrow",
                "corollary-2.no-compulsion",
                "corollary-3.hosted",
                "corollary-4.hosted-other",
            ],
        ),
        (
            "interest-community",
            [
                "corollary-1.hosted-narrow",
                "corollary-2.no-compulsion",
                "corollary-3.hosted-other",
                "corollary-4.hosted",
            ],
        ),
        (
            "strangers",
            [
                "corollary-1.hosted-strangers",
                "corollary-2.hosted-strangers",
                "corollary-3.hosted-other",
                "corollary-4.hosted-other",
            ],
        ),
        (
            "customers",
            [
                "corollary-1.hosted-strangers",
                "corollary-2.hosted-strangers",
                "corollary-3.hosted-other",
                "corollary-4.hosted-other",
            ],
        ),
    ];
    for (host, c6) in [("tool", "corollary-6.hosted"), ("media", "corollary-6.hosted-media")] {
        for (audience, keys) in table {
            for identity in ["real-name", "anonymous", "mixed"] {
                for community in ["backed", "unbacked"] {
                    let a = assess(&profile(&[
                        ("identity", identity),
                        ("audience", audience),
                        ("host", host),
                        ("community", community),
                    ]));
                    let at = format!("{host}/{audience}/{identity}/{community}");
                    let got: Vec<(&str, Verdict)> =
                        a.findings[1..5].iter().map(|f| (f.reason.key(), f.verdict)).collect();
                    let want: Vec<(&str, Verdict)> = keys.iter().map(|k| (*k, Verdict::NotApplicable)).collect();
                    assert_eq!(got, want, "{at}");
                    assert_eq!(
                        (a.findings[0].verdict, a.findings[0].reason.key()),
                        (Verdict::NotApplicable, "law-1.hosted"),
                        "{at}"
                    );
                    assert_ne!(
                        a.findings[6].verdict,
                        Verdict::Holds,
                        "{at}: corollary 5 does not decide a hosted chat"
                    );
                    assert_eq!((a.findings[7].verdict, a.findings[7].reason.key()), (Verdict::Holds, c6), "{at}");
                    assert_eq!(a.findings[8].verdict, Verdict::NotApplicable, "{at}");
                    assert_eq!(a.findings[9].verdict, Verdict::NotApplicable, "{at}");
                }
            }
        }
    }
}

#[test]
fn step_2_national_chat_ambitions() {
    let n = |extra: &[(&str, &str)], identity: &str| {
        let mut pairs = vec![("identity", identity), ("audience", "everyone")];
        pairs.extend_from_slice(extra);
        decided(&pairs)
    };
    // a. anonymous (a mixed identity passes: real names at the core, nicknames on top)
    assert_eq!(n(&[], "anonymous"), ("corollary-1", "national-chat", "unfavorable"));
    assert_eq!(n(&[("stance", "incumbent")], "anonymous"), ("corollary-1", "national-chat", "unfavorable"));
    assert_eq!(n(&[("stance", "incumbent")], "mixed"), ("law-1", "national-chat", "favorable"));
    assert_eq!(n(&[], "mixed"), ("corollary-7", "national-chat", "unfavorable"));
    assert_eq!(n(&[("device", "next-gen")], "mixed"), ("law-3", "national-chat", "conditional"));
    assert_eq!(n(&[("coverage", "restricted")], "mixed"), ("law-1", "national-chat", "unfavorable"));
    // b. restricted coverage (before incumbent and device)
    assert_eq!(
        n(&[("coverage", "restricted"), ("stance", "incumbent")], "real-name"),
        ("law-1", "national-chat", "unfavorable")
    );
    // c. incumbent (before device)
    assert_eq!(
        n(&[("stance", "incumbent"), ("device", "next-gen")], "real-name"),
        ("law-1", "national-chat", "favorable")
    );
    // d. next-gen device
    assert_eq!(n(&[("device", "next-gen")], "real-name"), ("law-3", "national-chat", "conditional"));
    // e. a challenger on today's devices
    assert_eq!(n(&[], "real-name"), ("corollary-7", "national-chat", "unfavorable"));
    assert_eq!(n(&[("device", "pc")], "real-name"), ("corollary-7", "national-chat", "unfavorable"));
    assert_eq!(
        decided(&[("identity", "real-name"), ("audience", "acquaintances")]),
        ("corollary-7", "national-chat", "unfavorable")
    );
}

#[test]
fn corollary_1_passes_a_mixed_identity_and_says_why() {
    let c1 = |identity: &str| {
        let f = assess(&profile(&[("identity", identity), ("audience", "everyone")])).findings[1];
        (f.verdict, f.reason.key())
    };
    assert_eq!(c1("real-name"), (Verdict::Holds, "corollary-1.real-name"));
    assert_eq!(c1("mixed"), (Verdict::Holds, "corollary-1.mixed"));
    assert_eq!(c1("anonymous"), (Verdict::Violated, "corollary-1.not-real-name"));
}

#[test]
fn law_2_files_campus_chat_as_a_tool_and_enterprise_chat_as_social() {
    let law2 = |pairs: &[(&str, &str)]| {
        let f = assess(&profile(pairs)).findings[5];
        (f.verdict, f.reason.key())
    };
    assert_eq!(law2(&[("identity", "real-name"), ("audience", "enterprise")]), (Verdict::Holds, "law-2.social"));
    assert_eq!(law2(&[("identity", "real-name"), ("audience", "campus")]), (Verdict::Holds, "law-2.campus"));
    assert_eq!(
        law2(&[("identity", "real-name"), ("audience", "campus"), ("scenario", "social")]),
        (Verdict::Violated, "law-2.social-ambition")
    );
}

#[test]
fn step_3_enterprise_and_campus() {
    assert_eq!(
        decided(&[("identity", "real-name"), ("audience", "enterprise")]),
        ("corollary-2", "enterprise-campus", "favorable")
    );
    assert_eq!(
        decided(&[("identity", "mixed"), ("audience", "campus")]),
        ("corollary-2", "enterprise-campus", "conditional")
    );
    for audience in ["enterprise", "campus"] {
        assert_eq!(
            decided(&[("identity", "anonymous"), ("audience", audience)]),
            ("corollary-2", "enterprise-campus", "unfavorable")
        );
    }
}

#[test]
fn steps_4_to_7() {
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "subculture")]),
        ("corollary-3", "subculture", "conditional")
    );
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "interest-community")]),
        ("corollary-4", "interest-community", "favorable")
    );
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "interest-community"), ("community", "unbacked")]),
        ("corollary-4", "interest-community", "unfavorable")
    );
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "strangers")]),
        ("corollary-5", "tool", "conditional")
    );
    // customers default to a tool host, which step 1 catches with the same answer…
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "customers")]),
        ("corollary-6", "tool-with-chat", "conditional")
    );
    // …and step 7 answers the same for a standalone chat app for customers.
    assert_eq!(
        decided(&[("identity", "anonymous"), ("audience", "customers"), ("host", "chat")]),
        ("corollary-6", "tool-with-chat", "conditional")
    );
    let a = assess(&profile(&[("identity", "anonymous"), ("audience", "customers"), ("host", "chat")]));
    assert_eq!(a.outcome, Outcome::Customers);
}

#[test]
fn law_2_warns_when_a_tool_has_social_ambitions() {
    let law2 = |pairs: &[(&str, &str)]| assess(&profile(pairs)).findings[5];
    let social_tool = law2(&[("identity", "anonymous"), ("audience", "strangers")]);
    assert_eq!((social_tool.rule, social_tool.verdict), (RuleId::Law2, Verdict::Violated));
    let plain_tool = law2(&[("identity", "anonymous"), ("audience", "customers")]);
    assert_eq!(plain_tool.verdict, Verdict::Holds);
    assert_eq!(plain_tool.reason.key(), "law-2.tool");
    let social = law2(&[("identity", "real-name"), ("audience", "enterprise")]);
    assert_eq!((social.verdict, social.reason.key()), (Verdict::Holds, "law-2.social"));
    let interest_tool = law2(&[("identity", "anonymous"), ("audience", "strangers"), ("scenario", "interest")]);
    assert_eq!(interest_tool.verdict, Verdict::Violated);
}

/// The procedure of the product brief, written out again independently of the rule
/// module: (primary rule, positioning, outlook) for a profile.
fn expected(p: &Profile) -> (&'static str, &'static str, &'static str) {
    use imlaws::profile::*;
    if matches!(p.host, Host::Tool | Host::Media) {
        return ("corollary-6", "tool-with-chat", "conditional");
    }
    match p.audience {
        Audience::Everyone | Audience::Acquaintances => {
            let (rule, outlook) = if p.identity == Identity::Anonymous {
                ("corollary-1", "unfavorable")
            } else if p.coverage == Coverage::Restricted {
                ("law-1", "unfavorable")
            } else if p.stance == Stance::Incumbent {
                ("law-1", "favorable")
            } else if p.device == Device::NextGen {
                ("law-3", "conditional")
            } else {
                ("corollary-7", "unfavorable")
            };
            (rule, "national-chat", outlook)
        }
        Audience::Enterprise | Audience::Campus if p.identity == Identity::Anonymous => {
            ("corollary-2", "enterprise-campus", "unfavorable")
        }
        Audience::Enterprise => ("corollary-2", "enterprise-campus", "favorable"),
        Audience::Campus => ("corollary-2", "enterprise-campus", "conditional"),
        Audience::Subculture => ("corollary-3", "subculture", "conditional"),
        Audience::InterestCommunity if p.community == Community::Backed => {
            ("corollary-4", "interest-community", "favorable")
        }
        Audience::InterestCommunity => ("corollary-4", "interest-community", "unfavorable"),
        Audience::Strangers => ("corollary-5", "tool", "conditional"),
        Audience::Customers => ("corollary-6", "tool-with-chat", "conditional"),
    }
}

/// Walks the whole profile space: the decision matches the brief's procedure written out
/// above, every trace lists the ten rules in order, the primary rule's own verdict
/// agrees with the outlook, and every reason key is reachable. Where a decision does
/// not need identity (a hosted product; strangers, subcultures, interest communities,
/// customers), no reason key depends on it either.
#[test]
fn every_profile_gets_a_consistent_trace() {
    use imlaws::profile::*;
    let mut seen = BTreeSet::new();
    let mut outcomes = BTreeSet::new();
    for &identity in Identity::ALL {
        for &audience in Audience::ALL {
            for &scenario in Scenario::ALL {
                for &host in Host::ALL {
                    for &device in Device::ALL {
                        for &stance in Stance::ALL {
                            for &coverage in Coverage::ALL {
                                for &community in Community::ALL {
                                    let p = Profile {
                                        identity,
                                        audience,
                                        role: Role::SelfRole,
                                        scenario,
                                        host,
                                        device,
                                        stance,
                                        coverage,
                                        community,
                                    };
                                    let a = assess(&p);
                                    let ids: Vec<RuleId> = a.findings.iter().map(|f| f.rule).collect();
                                    assert_eq!(ids, RuleId::ALL);
                                    let primary = a.findings.iter().find(|f| f.rule == a.primary).unwrap();
                                    assert_ne!(primary.verdict, Verdict::NotApplicable, "{p:?}");
                                    if primary.verdict == Verdict::Violated {
                                        assert_eq!(a.outlook.code(), "unfavorable", "{p:?}");
                                    }
                                    let decided = (a.primary.id(), a.positioning.code(), a.outlook.code());
                                    assert_eq!(decided, expected(&p), "{p:?}");
                                    assert_eq!(a.outcome.decision(), (a.primary, a.positioning, a.outlook));
                                    let needs_identity = !matches!(host, Host::Tool | Host::Media)
                                        && !matches!(
                                            audience,
                                            Audience::Strangers
                                                | Audience::Subculture
                                                | Audience::InterestCommunity
                                                | Audience::Customers
                                        );
                                    if !needs_identity {
                                        for &other in Identity::ALL {
                                            let b = assess(&Profile { identity: other, role: Role::Avatar, ..p });
                                            let keys = |x: &imlaws::rules::Assessment| {
                                                x.findings.map(|f| (f.verdict, f.reason.key()))
                                            };
                                            assert_eq!(keys(&a), keys(&b), "{p:?} as {other:?}");
                                        }
                                    }
                                    if matches!(host, Host::Tool | Host::Media) {
                                        // Nobody said who its users are: walked by its host alone,
                                        // deciding the same.
                                        let mut unknown = FieldSet::default();
                                        unknown.insert(Field::Audience);
                                        unknown.insert(Field::Scenario);
                                        let u = assess_with(&p, unknown);
                                        assert_eq!(u.outcome, a.outcome);
                                        for f in u.findings {
                                            // No reason that speaks of who the users are.
                                            let key = f.reason.key();
                                            assert!(
                                                !["hosted-strangers", "hosted-narrow", "hosted-other"]
                                                    .iter()
                                                    .any(|k| key.ends_with(k))
                                                    && !matches!(
                                                        key,
                                                        "corollary-1.hosted"
                                                            | "corollary-2.hosted"
                                                            | "corollary-3.hosted"
                                                            | "corollary-4.hosted"
                                                            | "corollary-5.hosted"
                                                    ),
                                                "{p:?}: {key}"
                                            );
                                            seen.insert(f.reason.key());
                                        }
                                    }
                                    outcomes.insert(a.outcome.code());
                                    for f in a.findings {
                                        seen.insert(f.reason.key());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let all: BTreeSet<&str> = REASON_KEYS.iter().copied().collect();
    assert_eq!(seen, all, "every reason key is reachable, and no other");
    assert_eq!(outcomes.len(), Outcome::ALL.len(), "every outcome is reachable");
}

#[test]
fn rule_numbers_and_parents() {
    assert_eq!(RuleId::law(3), Some(RuleId::Law3));
    assert_eq!(RuleId::law(4), None);
    assert_eq!(RuleId::law(0), None);
    assert_eq!(RuleId::corollary(5), Some(RuleId::Corollary5));
    assert_eq!(RuleId::corollary(8), None);
    assert_eq!(RuleId::Law3.corollaries().collect::<Vec<_>>(), [RuleId::Corollary7]);
    assert_eq!(RuleId::Law1.corollaries().count(), 4);
    assert_eq!(RuleId::Corollary6.parent(), RuleId::Law2);
}
