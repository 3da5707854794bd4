//! The vocabulary of API paths: words that are almost always static, and the text features that
//! make a literal look like a value instead.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::segment::cased_like_words;

/// Words that name actions, views and collections in real APIs. A literal in this list stays
/// static beside a parameter (`/users/me` beside `/users/{name}`).
const WORDS: &str = "
about access account accounts action actions activate activity add admin aggregate alerts all
analytics api apis app apps approve archive archived assets attach attachments audit auth
authorize authorization avatar backup balance batch billing block blocks bookmarks branches
browse bulk by cache callback cancel capabilities capture cart catalog categories category
changes charges check checkout children claim clear clone close comments commit commits compare
complete config configs configuration confirm connect contacts content contents context copy
count counts create created current dashboard data debug default defaults delete deleted
deploy deployments describe details devices diff disable disconnect discover download downloads
draft drafts edit enable entries env events exec execute exists expire export exports favorites
features featured feed feeds fields files filter find first fork forks form get global graph
graphql groups health healthz help history hooks id import imports inbox index info init insights
inspect install internal invite invites invoices items join json keys kill labels last latest leave
limits link links list live load lock locked login logout logs lookup manifest me media members
membership merge messages meta metadata metrics mine move my new next none notifications
oauth open options orders outbox overview owner owners page pages pause payments pending
permissions pin ping plans play policies preferences preview previous primary print private
profile profiles prune public publish pull pulls push query queue random rate read readme
readiness ready recent recommendations redeem refresh refund register reject release releases
reload remove rename render reorder replace replies reply report reports request requests
resend reset resize resolve restart restore results resume revoke roles rollback root rules run
runs save scan schedule schema scopes search secrets self send sessions settings setup share
shared shutdown sign signin signout signup similar size snapshot start starred stats status stop
stream subscribe subscriptions summary suspend sync tag tags template templates test tests
timeline token tokens top totals track trash trending unarchive unblock undo uninstall unlink
unlock unpin unpublish unread unsubscribe update updates upgrade upload uploads usage user
users validate verify version versions view views wait watch webhooks whoami xml yaml
accept adjust agent aliases annotations answers apply approvals archives assign assignees
attributes autocomplete available backups badges balances bans blame blobs bookings branding
builds calendar calendars callbacks campaigns certificates changelog channels charts chat
checks checksums cleanup clients collaborators columns commands complete compliance
conditions connections consent containers contributors conversations coupons credentials
credits crypto customers decline deliveries dependencies deployments destroy devices directory
disable discounts discussions disks dns docs documents domains drafts duplicate elements emails
embed endpoints environments errors estimate evaluate exchange expand explore extensions
failures fields filters firewall flags folders follow followers following forecast forms
fulfillments functions gateways generate grants graphs guests headers heartbeat history
identities images incidents indexes info insights instances integrations interactions inventory
invitations issues jobs keys languages layout leaderboard library licenses limits lines
liveness locations logo logs mappings markers marketplace matches memberships mentions
menu messages methods metrics migrations milestones mirrors modules monitor monitors mute
namespaces networks nodes notes notifications oauth2 objects offers operations options
organizations orgs outputs owners packages partitions passwords patch payouts peers
permissions phones photos pipelines places plugins points policies pools posts prices
privileges processes products projects properties providers proxy purchases quotas ranges
reactions readme receipts recipients records redirects references regions relationships
releases reminders replicas repos repositories requirements reservations resources responses
restrictions reviews revisions rewards roles routes rules schedules schemas scores secrets
segments sessions shares shipments signatures sites sizes skills slots snapshots sources spaces
specs stages stars stashes statistics steps stickers storage stores streams submissions
subscribers suggestions summaries suppliers support surveys swarm symbols system systems tables
targets tasks teams tenants terms themes threads tickets tiers topics traces traffic transactions
transfers translations trees triggers types units unsubscribe uptime usages validations
values variables variants vaults vendors verifications videos visits volumes votes wallets
warnings webhook widgets workers workflows workspaces zones
";

fn builtin() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| WORDS.split_whitespace().collect())
}

/// Whether `word` (any case) is one of the built-in words, as listed.
pub(crate) fn is_builtin_word(word: &str) -> bool {
    builtin().contains(word.to_ascii_lowercase().as_str())
}

/// Whether `word` (a literal segment, any case) is in the built-in static vocabulary.
pub(crate) fn is_builtin_static(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    let set = builtin();
    if set.contains(lower.as_str()) {
        return true;
    }
    // `_ping`, `.well-known`, `$batch`, `@me`: a marker character before a word.
    let trimmed = lower.trim_start_matches(['_', '.', '$', '@', '~']);
    trimmed.len() != lower.len() && !trimmed.is_empty()
}

/// Whether a path position whose text is `seg` is a prefix that never holds a value: API
/// version markers and common roots (`v1`, `v2beta1`, `api`, `rest`).
pub(crate) fn is_prefix_segment(seg: &str) -> bool {
    const WORDS: [&str; 9] = [
        "api", "apis", "rest", "public", "internal", "private", "external", "gateway", "svc",
    ];
    if WORDS.iter().any(|w| w.eq_ignore_ascii_case(seg)) {
        return true;
    }
    let Some(rest) = seg.strip_prefix(['v', 'V']) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && digits <= 3
        && rest[digits..]
            .trim_start_matches(['.', '_'])
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .is_empty()
}

/// How strongly a literal's text says "value" rather than "vocabulary", from 0.0 to 1.0.
///
/// Vocabulary is lower-case words joined by `-`, `_` or camelCase; values carry digits, odd
/// punctuation, capitals in odd places, or are long slugs of many words.
pub(crate) fn value_likeness(seg: &str) -> f32 {
    if seg.contains("{format}") {
        return 0.0;
    }
    // A file-like suffix (`names.json`) says nothing about the stem.
    let seg = match seg.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|c| c.is_ascii_lowercase()) =>
        {
            stem
        }
        _ => seg,
    };
    let b = seg.as_bytes();
    if b.is_empty() {
        return 0.0;
    }
    if b.iter().any(u8::is_ascii_digit) {
        return 1.0;
    }
    if b.iter().any(|c| {
        matches!(
            c,
            b'.' | b'@' | b'%' | b'+' | b'~' | b'=' | b',' | b':' | b'!' | b'\''
        )
    }) {
        return 0.9;
    }
    if !b.is_ascii() {
        return 0.9;
    }
    let words = b
        .split(|c| matches!(c, b'-' | b'_'))
        .filter(|w| !w.is_empty())
        .count();
    if words >= 3 {
        return 0.8;
    }
    let upper = b.iter().filter(|c| c.is_ascii_uppercase()).count();
    if upper > 0 && b[0].is_ascii_uppercase() && upper == b.len() && b.len() <= 4 {
        // `US`, `GB`, `EUR`: codes, which are values.
        return 0.7;
    }
    if upper > 0 && upper < b.len() && !cased_like_words(b) {
        // `aWgIyA`, `KvrbaP`: mixed case that no word boundary explains is random text.
        return 0.9;
    }
    if b.len() > 24 && !(upper > 0 && b[0].is_ascii_lowercase()) {
        // Long slugs are values; long camelCase names (`markAssociatedNotificationsRead`)
        // are an API's own.
        return 0.7;
    }
    if upper > 0 && b[0].is_ascii_lowercase() {
        // camelCase (`showSidebar`, `labelNames`): the way APIs name their own fields.
        return 0.1;
    }
    0.3
}

/// Words that name an action or a view on a collection (`/users/search`, `/orders/export`):
/// static siblings of values, never values themselves.
pub(crate) fn is_action_word(seg: &str) -> bool {
    matches!(
        seg.to_ascii_lowercase().as_str(),
        "search"
            | "export"
            | "import"
            | "count"
            | "batch"
            | "bulk"
            | "latest"
            | "new"
            | "all"
            | "default"
            | "stats"
            | "summary"
            | "find"
            | "lookup"
            | "query"
            | "recent"
    )
}

/// `v1`, `v2beta`, `v1.33`: a version segment.
pub(crate) fn is_version_segment(seg: &str) -> bool {
    is_prefix_segment(seg) && seg.len() > 1 && seg.as_bytes()[0].eq_ignore_ascii_case(&b'v')
}

/// Words that name the caller, and stay static even where values are (`/users/me/orders`
/// beside `/users/{id}/orders`).
pub(crate) fn is_self_word(seg: &str) -> bool {
    matches!(
        seg.to_ascii_lowercase().as_str(),
        "me" | "self" | "current" | "mine" | "my" | "_" | "@me"
    )
}

/// Plural nouns name collections whose children are members (`/users/alice`).
pub(crate) fn is_collection_word(seg: &str) -> bool {
    let s = seg.to_ascii_lowercase();
    s.len() > 3
        && s.ends_with('s')
        && !s.ends_with("ss")
        && !s.ends_with("us")
        && !matches!(
            s.as_str(),
            "settings" | "status" | "stats" | "analytics" | "news"
        )
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c == b'-' || c == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_words_and_markers_are_static() {
        assert!(is_builtin_static("me"));
        assert!(is_builtin_static("Export"));
        assert!(is_builtin_static("_ping"));
        assert!(is_builtin_static(".well-known"));
        assert!(!is_builtin_static("alice"));
    }

    #[test]
    fn version_prefixes_are_recognised() {
        for p in ["v1", "V2", "v2beta1", "v1.1", "api", "v10"] {
            assert!(is_prefix_segment(p), "{p}");
        }
        for p in ["users", "vendor", "v", "value1x2"] {
            assert!(!is_prefix_segment(p), "{p}");
        }
    }

    #[test]
    fn values_look_like_values() {
        assert!(value_likeness("jdoe42") > 0.9);
        assert!(value_likeness("my-first-blog-post") > 0.7);
        assert!(value_likeness("users") < 0.5);
        assert!(value_likeness("featured-playlists") < 0.5);
        assert!(value_likeness("showSidebar") < 0.2);
        assert!(value_likeness("names.json") < 0.5);
        for word in [
            "idList",
            "callbackURL",
            "HTTPResponse",
            "markAssociatedNotificationsRead",
            "Users",
            "getURLs",
        ] {
            assert!(value_likeness(word) < 0.5, "{word}");
        }
        for random in ["aWgIyA", "KvrbaP", "qBCaHR", "rodyGi", "hMVfYx", "swpCwK"] {
            assert!(value_likeness(random) > 0.5, "{random}");
        }
    }
}
