//! Word lists behind realistic names, slugs and text.

pub(crate) const FIRST_NAMES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "maria",
    "oscar", "peggy", "rupert", "sybil", "trent", "victor", "walter", "wei", "priya", "fatima",
    "kenji", "olga", "diego", "amara", "lucas", "sofia", "noah", "emma", "liam",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "smith", "jones", "doe", "lee", "brown", "garcia", "miller", "davis", "wilson", "nguyen",
    "patel", "kim", "martin", "lopez", "clark", "walker", "young", "king", "wright", "chen",
];

pub(crate) const NOUNS: &[&str] = &[
    "widgets",
    "phoenix",
    "billing",
    "platform",
    "mobile",
    "gateway",
    "analytics",
    "payments",
    "dashboard",
    "inventory",
    "search",
    "storefront",
    "docs",
    "infra",
    "pipeline",
    "checkout",
];

pub(crate) const COMPANIES: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "soylent",
    "vandelay",
    "tyrell",
    "cyberdyne",
    "wonka",
    "oceanic",
    "massive",
    "contoso",
    "northwind",
];

pub(crate) const WORDS: &[&str] = &[
    "summer", "sale", "report", "draft", "final", "blue", "red", "green", "alpha", "beta", "main",
    "release", "notes", "invoice", "order", "backup", "weekly", "team", "q3", "legacy",
];

pub(crate) const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "94103"),
    ("New York", "NY", "10001"),
    ("Austin", "TX", "78701"),
    ("Seattle", "WA", "98101"),
    ("Chicago", "IL", "60601"),
    ("Boston", "MA", "02108"),
    ("Denver", "CO", "80202"),
];

pub(crate) const STREETS: &[&str] = &[
    "Market St",
    "Main St",
    "Broadway",
    "Oak Ave",
    "Pine St",
    "Elm St",
    "Mission St",
    "2nd Ave",
];

pub(crate) const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "example.com",
    "proton.me",
    "acme.io",
    "icloud.com",
];
