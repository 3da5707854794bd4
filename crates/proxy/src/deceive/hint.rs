//! What a property's name says about its value.

use super::*;

/// A guess at what a field holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    None,
    Email,
    Phone,
    FirstName,
    LastName,
    FullName,
    Username,
    ProductName,
    Company,
    City,
    State,
    Country,
    CountryCode,
    Street,
    Zip,
    Price,
    Currency,
    Id,
    Uuid,
    Token,
    Sku,
    Url,
    Ip,
    Host,
    DateTime,
    Date,
    Status,
    Text,
    Title,
    Latitude,
    Longitude,
    Age,
    Count,
    Year,
    Rating,
    Percent,
    Card,
    Ssn,
    Locale,
    Color,
    Active,
}

impl Hint {
    pub(super) fn of(name: &str) -> Self {
        let words = words(name);
        let joined: String = words.concat();
        let last = words.last().map_or("", String::as_str);
        let first = words.first().map_or("", String::as_str);
        let has = |w: &str| words.iter().any(|x| x == w);
        let j = joined.as_str();
        if matches!(first, "is" | "has" | "can" | "should" | "enabled")
            || matches!(
                j,
                "active" | "enabled" | "verified" | "deleted" | "disabled"
            )
        {
            return Self::Active;
        }
        if j.contains("email") || last == "mail" {
            return Self::Email;
        }
        if [
            "phone",
            "mobile",
            "tel",
            "telephone",
            "msisdn",
            "fax",
            "cell",
        ]
        .iter()
        .any(|w| has(w))
            || j.contains("phone")
        {
            return Self::Phone;
        }
        if matches!(j, "firstname" | "givenname" | "forename" | "fname") {
            return Self::FirstName;
        }
        if matches!(j, "lastname" | "surname" | "familyname" | "lname") {
            return Self::LastName;
        }
        if matches!(
            j,
            "username" | "login" | "handle" | "nickname" | "screenname" | "userlogin" | "nick"
        ) {
            return Self::Username;
        }
        if matches!(j, "uuid" | "guid") || last == "uuid" || last == "guid" {
            return Self::Uuid;
        }
        if matches!(last, "id" | "ids" | "pk") || j == "id" {
            return Self::Id;
        }
        if matches!(
            last,
            "token" | "secret" | "key" | "password" | "passwd" | "hash" | "signature" | "nonce"
        ) || matches!(j, "apikey" | "jwt" | "accesstoken" | "refreshtoken")
        {
            return Self::Token;
        }
        if matches!(last, "sku" | "upc" | "ean" | "gtin" | "mpn") {
            return Self::Sku;
        }
        if matches!(
            last,
            "url"
                | "uri"
                | "link"
                | "href"
                | "website"
                | "homepage"
                | "avatar"
                | "image"
                | "img"
                | "photo"
                | "picture"
                | "thumbnail"
                | "icon"
                | "logo"
        ) {
            return Self::Url;
        }
        if matches!(j, "ip" | "ipaddress" | "ipaddr" | "remoteaddr" | "clientip") || last == "ip" {
            return Self::Ip;
        }
        if matches!(last, "host" | "hostname" | "domain" | "fqdn") {
            return Self::Host;
        }
        if (last == "at" && words.len() > 1)
            || matches!(
                j,
                "timestamp" | "datetime" | "time" | "lastlogin" | "lastseen" | "ts" | "modified"
            )
            || last == "timestamp"
            || last == "time"
        {
            return Self::DateTime;
        }
        if matches!(j, "dob" | "birthday" | "birthdate" | "dateofbirth")
            || last == "date"
            || last == "on"
        {
            return Self::Date;
        }
        if matches!(
            j,
            "zip" | "zipcode" | "postalcode" | "postcode" | "postal" | "plz"
        ) {
            return Self::Zip;
        }
        if matches!(last, "city" | "town") {
            return Self::City;
        }
        if j == "countrycode" || (has("country") && matches!(last, "code" | "iso")) {
            return Self::CountryCode;
        }
        if has("country") {
            return Self::Country;
        }
        if matches!(last, "province" | "region" | "county") || j == "state" {
            return Self::State;
        }
        if matches!(last, "street" | "address" | "line1" | "line2" | "addr")
            || j.starts_with("addressline")
        {
            return Self::Street;
        }
        if matches!(
            last,
            "price"
                | "amount"
                | "cost"
                | "total"
                | "subtotal"
                | "balance"
                | "fee"
                | "tax"
                | "discount"
                | "salary"
                | "revenue"
        ) {
            return Self::Price;
        }
        if matches!(last, "currency") {
            return Self::Currency;
        }
        if matches!(j, "lat" | "latitude") || last == "latitude" {
            return Self::Latitude;
        }
        if matches!(j, "lng" | "lon" | "long" | "longitude") || last == "longitude" {
            return Self::Longitude;
        }
        if last == "age" {
            return Self::Age;
        }
        if last == "year" {
            return Self::Year;
        }
        if matches!(last, "rating" | "score" | "stars") {
            return Self::Rating;
        }
        if matches!(last, "percent" | "percentage" | "ratio" | "rate") {
            return Self::Percent;
        }
        if matches!(
            last,
            "count" | "quantity" | "qty" | "stock" | "number" | "num" | "size" | "page" | "limit"
        ) || first == "num"
            || first == "total"
        {
            return Self::Count;
        }
        if matches!(j, "card" | "cardnumber" | "pan" | "creditcard" | "ccnumber") {
            return Self::Card;
        }
        if matches!(j, "ssn" | "socialsecuritynumber" | "nationalid") {
            return Self::Ssn;
        }
        if matches!(last, "language" | "locale" | "lang") {
            return Self::Locale;
        }
        if matches!(last, "color" | "colour") {
            return Self::Color;
        }
        if matches!(
            last,
            "company" | "organization" | "organisation" | "org" | "employer" | "vendor" | "brand"
        ) {
            return Self::Company;
        }
        if matches!(
            last,
            "status" | "state" | "stage" | "type" | "kind" | "role"
        ) {
            return Self::Status;
        }
        if matches!(
            last,
            "description"
                | "bio"
                | "comment"
                | "comments"
                | "message"
                | "text"
                | "body"
                | "summary"
                | "note"
                | "notes"
                | "content"
                | "details"
        ) {
            return Self::Text;
        }
        if matches!(last, "title" | "subject" | "headline" | "label" | "tag") {
            return Self::Title;
        }
        if last == "name" {
            return if ["product", "item", "sku", "article"].iter().any(|w| has(w)) {
                Self::ProductName
            } else if [
                "company",
                "org",
                "organization",
                "business",
                "store",
                "shop",
            ]
            .iter()
            .any(|w| has(w))
            {
                Self::Company
            } else if has("user") || has("account") {
                Self::Username
            } else {
                Self::FullName
            };
        }
        Self::None
    }

    /// The type a field of this name has when its schema does not say.
    pub(super) fn natural_kind(self) -> Kind {
        match self {
            Self::Id | Self::Age | Self::Count | Self::Year => Kind::Integer,
            Self::Price | Self::Latitude | Self::Longitude | Self::Rating | Self::Percent => {
                Kind::Number
            }
            Self::Active => Kind::Boolean,
            _ => Kind::String,
        }
    }
}

/// The lower-case words of a field name: `createdAt`, `created_at` and `created-at` all give
/// `["created", "at"]`. At most 8 words of 32 bytes, as names are attacker-chosen.
pub(super) fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars().take(128) {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if cur.len() < 32 {
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.truncate(8);
    out
}
