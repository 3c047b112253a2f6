//! The keys of `config/messages.toml`: every UI string imlaws shows.

use crate::rules::{Outlook, Positioning, Verdict};

code_enum!(
    /// One UI string, by its key in `messages.toml`.
    Msg {
    PositioningNationalChat = "positioning.national-chat",
    PositioningEnterpriseCampus = "positioning.enterprise-campus",
    PositioningSubculture = "positioning.subculture",
    PositioningInterestCommunity = "positioning.interest-community",
    PositioningTool = "positioning.tool",
    PositioningToolWithChat = "positioning.tool-with-chat",
    OutlookFavorable = "outlook.favorable",
    OutlookConditional = "outlook.conditional",
    OutlookUnfavorable = "outlook.unfavorable",
    VerdictHolds = "verdict.holds",
    VerdictViolated = "verdict.violated",
    VerdictNotApplicable = "verdict.not-applicable",
    RuleLaw = "rule.law",
    RuleCorollary = "rule.corollary",
    TitleAssess = "title.assess",
    TitlePrimary = "title.primary",
    HeadingReasoning = "heading.reasoning",
    HeadingAdvice = "heading.advice",
    HeadingProfile = "heading.profile",
    HeadingCases = "heading.cases",
    HeadingInsight = "heading.insight",
    HeadingCorollaries = "heading.corollaries",
    HeadingDerived = "heading.derived",
    HeadingTable = "heading.table",
    HeadingAssessed = "heading.assessed",
    HeadingIllustrates = "heading.illustrates",
    HeadingPlaced = "heading.placed",
    HeadingOutcome = "heading.outcome",
    HeadingAnalysis = "heading.analysis",
    HeadingRecognised = "heading.recognised",
    HeadingWhatIf = "heading.what-if",
    ErrorNeedCodes = "error.need-codes",
    ErrorStaleComponent = "error.stale-component",
    ErrorBadComponent = "error.bad-component",
    ErrorBadChoice = "error.bad-choice",
    ComponentChangeCore = "component.change-core",
    ComponentChangeOther = "component.change-other",
    ComponentChoose = "component.choose",
    ComponentOption = "component.option",
    ComponentAssumed = "component.assumed",
    ComponentWhatIf = "component.what-if",
    ComponentMap = "component.map",
    WhatIfLine = "what-if.line",
    WhatIfSteady = "what-if.steady",
    WhatIfNone = "what-if.none",
    ProfileAssumed = "profile.assumed",
    ProfileNotStated = "profile.not-stated",
    ProfileUnneeded = "profile.unneeded",
    FooterSource = "footer.source",
    HelpTitle = "help.title",
    HelpBody = "help.body",
    HelpExample = "help.example",
    ErrorUnknownCode = "error.unknown-code",
    ErrorMissingField = "error.missing-field",
    ErrorDuplicateOption = "error.duplicate-option",
    ErrorUnknownOption = "error.unknown-option",
    ErrorLawRange = "error.law-range",
    ErrorCorollaryRange = "error.corollary-range",
    ErrorNotANumber = "error.not-a-number",
    ErrorMissingNumber = "error.missing-number",
    ErrorUnknownProduct = "error.unknown-product",
    ErrorDidYouMean = "error.did-you-mean",
    ErrorProductList = "error.product-list",
    ErrorMissingName = "error.missing-name",
    ErrorUnknownCommand = "error.unknown-command",
    ErrorUnclosedQuote = "error.unclosed-quote",
    ErrorStrayText = "error.stray-text",
    ErrorEmptyQuestion = "error.empty-question",
    ErrorTooLong = "error.too-long",
    ErrorOffTopic = "error.off-topic",
    ErrorNeedFields = "error.need-fields",
    ErrorNeedExample = "error.need-example",
    ErrorListAnd = "error.list-and",
    CommandFieldDescription = "command.field.description",
    ErrorNotSupported = "error.not-supported",
    ErrorMapBoth = "error.map-both",
    ErrorMapUnavailable = "error.map-unavailable",
    MapWritten = "map.written",
    MapTitle = "map.title",
    MapSubtitle = "map.subtitle",
    MapYou = "map.you",
    MapMarker = "map.marker",
    MapSocial = "map.social",
    MapTool = "map.tool",
    MapDecided = "map.decided",
    MapRegionNationalChat = "map.region.national-chat",
    MapRegionEnterpriseCampus = "map.region.enterprise-campus",
    MapRegionSubculture = "map.region.subculture",
    MapRegionInterestCommunity = "map.region.interest-community",
    MapRegionTool = "map.region.tool",
    MapRegionToolWithChat = "map.region.tool-with-chat",
    }
);

impl From<Positioning> for Msg {
    fn from(p: Positioning) -> Msg {
        match p {
            Positioning::NationalChat => Msg::PositioningNationalChat,
            Positioning::EnterpriseCampus => Msg::PositioningEnterpriseCampus,
            Positioning::Subculture => Msg::PositioningSubculture,
            Positioning::InterestCommunity => Msg::PositioningInterestCommunity,
            Positioning::Tool => Msg::PositioningTool,
            Positioning::ToolWithChat => Msg::PositioningToolWithChat,
        }
    }
}

impl From<Outlook> for Msg {
    fn from(o: Outlook) -> Msg {
        match o {
            Outlook::Favorable => Msg::OutlookFavorable,
            Outlook::Conditional => Msg::OutlookConditional,
            Outlook::Unfavorable => Msg::OutlookUnfavorable,
        }
    }
}

impl From<Verdict> for Msg {
    fn from(v: Verdict) -> Msg {
        match v {
            Verdict::Holds => Msg::VerdictHolds,
            Verdict::Violated => Msg::VerdictViolated,
            Verdict::NotApplicable => Msg::VerdictNotApplicable,
        }
    }
}
