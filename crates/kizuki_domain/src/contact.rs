//! Whom a participant asks about a training, and how. Every page and message that says
//! "please tell the organisers" names a way to do it: the training's own contact when it has
//! one, the site's operator otherwise, and replying to the message when neither is set.

/// A way to reach people: who they are and at least one of an address or a phone number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactPoint {
    pub name: String,
    pub name_en: String,
    pub email: String,
    pub phone: String,
    /// When the phone is answered, in each language ("平日 10時〜17時").
    pub hours: String,
    pub hours_en: String,
}

impl ContactPoint {
    /// Whether someone can be reached through it: an address or a number.
    pub fn reachable(&self) -> bool {
        !self.email.trim().is_empty() || !self.phone.trim().is_empty()
    }
}

/// Where a contact came from, which pages say ("研修会の担当" or "運営者").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactSource {
    Training,
    Operator,
    /// Neither is set: messages ask for a reply, pages point to the operator page.
    Nobody,
}

/// The contact for a training: its own when it gives a way to reach someone, else the
/// operator's. A training contact with a name but no address or number is not enough: the
/// operator's is shown instead, because a name alone tells no one how.
pub fn for_training(own: &ContactPoint, operator: &ContactPoint) -> (ContactPoint, ContactSource) {
    if own.reachable() {
        let mut chosen = own.clone();
        if chosen.name.trim().is_empty() && chosen.name_en.trim().is_empty() {
            chosen.name.clone_from(&operator.name);
            chosen.name_en.clone_from(&operator.name_en);
        }
        (chosen, ContactSource::Training)
    } else if operator.reachable() {
        (operator.clone(), ContactSource::Operator)
    } else {
        (ContactPoint::default(), ContactSource::Nobody)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(name: &str, email: &str, phone: &str) -> ContactPoint {
        ContactPoint {
            name: name.to_owned(),
            email: email.to_owned(),
            phone: phone.to_owned(),
            ..ContactPoint::default()
        }
    }

    #[test]
    fn a_training_with_its_own_address_is_asked_directly() {
        let own = point("研修担当 佐藤", "sato@example.jp", "");
        let operator = point("IPS 研究班", "office@example.jp", "03-0000-0000");
        assert_eq!(
            for_training(&own, &operator),
            (own.clone(), ContactSource::Training)
        );
    }

    #[test]
    fn a_name_without_a_way_to_reach_falls_back_to_the_operator() {
        let own = point("研修担当 佐藤", "", " ");
        let operator = point("IPS 研究班", "", "03-0000-0000");
        assert_eq!(
            for_training(&own, &operator),
            (operator.clone(), ContactSource::Operator)
        );
    }

    #[test]
    fn an_unnamed_training_contact_takes_the_operators_name() {
        let own = point("", "", "090-0000-0000");
        let operator = point("IPS 研究班", "office@example.jp", "");
        let (chosen, source) = for_training(&own, &operator);
        assert_eq!(source, ContactSource::Training);
        assert_eq!(chosen.name, "IPS 研究班");
        assert_eq!(chosen.phone, "090-0000-0000");
        assert_eq!(chosen.email, "");
    }

    #[test]
    fn nobody_set_is_said_so() {
        let empty = ContactPoint::default();
        assert_eq!(for_training(&empty, &empty).1, ContactSource::Nobody);
    }
}
