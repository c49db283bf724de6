//! Citizens' personal data: the contact type with a redacting `Debug`, masking for views outside the owning department, and detectors for ID-card and mobile numbers in free text, and the `Secret` setting that `Debug` never prints.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A citizen's contact details. `Debug` never prints them, so they cannot reach a log by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Citizen {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl fmt::Debug for Citizen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Citizen(<redacted>)")
    }
}

impl Citizen {
    /// The contact as shown outside the owning department.
    pub fn masked(&self) -> Citizen {
        Citizen {
            name: self.name.as_deref().map(mask_name),
            phone: self.phone.as_deref().map(mask_phone),
            email: self.email.as_deref().map(mask_email),
        }
    }
}

/// 张三 → 张*, 欧阳娜娜 → 欧***.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// 13812345678 → 138****5678; anything short is fully masked.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len().max(1));
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// zhangsan@example.com → z***@example.com.
pub fn mask_email(email: &str) -> String {
    match email.trim().split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// Personal numbers found in free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalNumber {
    /// 18-character resident ID number (居民身份证号码).
    IdCard,
    /// 11-digit mainland mobile number.
    Mobile,
}

/// Finds ID-card and mobile numbers in `text`, as (kind, byte range).
pub fn find_personal_numbers(text: &str) -> Vec<(PersonalNumber, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let digits = i - start;
        // An ID number may end in X for the check digit.
        let with_x = digits == 17 && i < bytes.len() && matches!(bytes[i], b'X' | b'x');
        if digits == 18 || with_x {
            let end = if with_x { i + 1 } else { i };
            if is_plausible_id(&text[start..end]) {
                found.push((PersonalNumber::IdCard, start..end));
            }
            i = end;
        } else if digits == 11 && bytes[start] == b'1' && (b'3'..=b'9').contains(&bytes[start + 1])
        {
            found.push((PersonalNumber::Mobile, start..i));
        }
    }
    found
}

/// Region, birth date and check digit (GB 11643) of an 18-character ID number.
fn is_plausible_id(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() != 18 || b[0] == b'0' {
        return false;
    }
    let month = (b[10] - b'0') * 10 + (b[11] - b'0');
    let day = (b[12] - b'0') * 10 + (b[13] - b'0');
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// Replaces ID-card and mobile numbers in `text` with a masked form (keeping the first and last digits).
pub fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (_, range) in find_personal_numbers(text) {
        out.push_str(&text[last..range.start]);
        let s = &text[range.clone()];
        out.push_str(&s[..3]);
        out.push_str(&"*".repeat(s.len() - 7));
        out.push_str(&s[s.len() - 4..]);
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// A message's free text (subject or body) as shown outside the owning department: ID-card
/// and mobile numbers masked as [`mask_text`] does, and the citizen's own name, phone and email
/// masked wherever the text repeats them (a one-character name is too common to look for).
pub fn mask_text_of(text: &str, citizen: &Citizen) -> String {
    type Mask = fn(&str) -> String;
    let mut out = text.to_string();
    let own: [(Option<&str>, Mask); 3] = [
        (citizen.email.as_deref(), mask_email),
        (citizen.phone.as_deref(), mask_phone),
        (citizen.name.as_deref(), mask_name),
    ];
    for (value, mask) in own {
        if let Some(v) = value.map(str::trim).filter(|v| v.chars().count() >= 2) {
            out = out.replace(v, &mask(v));
        }
    }
    mask_text(&out)
}

/// A message's free text for a reader: whole to its own department, masked to anyone else.
pub fn text_for(text: &str, citizen: &Citizen, owner: bool) -> String {
    if owner {
        text.to_string()
    } else {
        mask_text_of(text, citizen)
    }
}

/// A setting that may carry a password (database and SMTP URLs): `Debug` never prints it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_citizens_own_contact_is_masked_wherever_the_text_repeats_it() {
        let c = Citizen {
            name: Some("欧阳娜娜".into()),
            phone: Some("0755-8888123".into()),
            email: Some("nana@example.com".into()),
        };
        let text =
            format!("欧阳娜娜（0755-8888123，nana@example.com，身份证{ID}，手机13812345678）");
        let masked = mask_text_of(&text, &c);
        for value in [
            "欧阳娜娜",
            "0755-8888123",
            "nana@example.com",
            ID,
            "13812345678",
        ] {
            assert!(!masked.contains(value), "{value} in {masked}");
        }
        assert!(masked.starts_with("欧***（"), "{masked}");
        assert_eq!(text_for(&text, &c, true), text);
        // A one-character name is not hunted for.
        let short = Citizen {
            name: Some("王".into()),
            ..Default::default()
        };
        assert_eq!(mask_text_of("王府井", &short), "王府井");
    }

    // A syntactically valid test number (check digit computed), not a real person's.
    const ID: &str = "11010519491231002X";

    #[test]
    fn contacts_are_masked() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_email("zhangsan@example.com"), "z***@example.com");
    }

    #[test]
    fn debug_of_a_citizen_prints_nothing_personal() {
        let c = Citizen {
            name: Some("张三".into()),
            phone: Some("13812345678".into()),
            email: None,
        };
        let s = format!("{c:?}");
        assert!(!s.contains("张三") && !s.contains("138"));
    }

    #[test]
    fn id_and_mobile_numbers_are_found_in_text() {
        let text = format!("身份证号{ID}，电话13812345678。订单号123456789012345678。");
        let kinds: Vec<_> = find_personal_numbers(&text)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(kinds, vec![PersonalNumber::IdCard, PersonalNumber::Mobile]);
        let masked = mask_text(&text);
        assert!(!masked.contains(ID) && !masked.contains("13812345678"));
        assert!(masked.contains("110***********002X"));
    }
}
