//! The token request's body and client authentication, as RFC 6749 writes them: fields
//! form-encoded (`application/x-www-form-urlencoded`), and for Basic the client id and
//! secret each form-encoded before they are joined and base64-encoded (§2.3.1), so a
//! colon or a non-ASCII letter in either survives the trip.

use secrecy::ExposeSecret;

use super::{ClientAuthentication, ClientCredentials};

/// `value` form-encoded: letters, digits and `*-._` as they are, a space as `+`, every
/// other byte of its UTF-8 as `%XX`.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `name=value&...`, each part form-encoded.
pub fn body(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` header value of Basic client authentication.
pub fn basic_header(credentials: &ClientCredentials) -> String {
    format!(
        "Basic {}",
        crate::client::target::base64(basic_pair(credentials).as_bytes())
    )
}

/// `id:secret` with both form-encoded: what Basic client authentication base64-encodes.
pub fn basic_pair(credentials: &ClientCredentials) -> String {
    format!(
        "{}:{}",
        encode(&credentials.client_id),
        encode(credentials.client_secret.expose_secret())
    )
}

/// The fields of a client-credentials token request (RFC 6749 §4.4.2): the grant, the
/// scope, the vendor's extra fields in the order given, and with form authentication
/// the client's id and secret last.
pub fn fields(credentials: &ClientCredentials) -> Vec<(String, String)> {
    let mut fields = vec![("grant_type".to_owned(), "client_credentials".to_owned())];
    if let Some(scope) = &credentials.scope {
        fields.push(("scope".to_owned(), scope.clone()));
    }
    fields.extend(credentials.params.iter().cloned());
    if credentials.client_auth == ClientAuthentication::Form {
        fields.push(("client_id".to_owned(), credentials.client_id.clone()));
        fields.push((
            "client_secret".to_owned(),
            credentials.client_secret.expose_secret().to_owned(),
        ));
    }
    fields
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;

    fn credentials(id: &str, secret: &str, client_auth: ClientAuthentication) -> ClientCredentials {
        ClientCredentials {
            token_url: "https://acme.example/oauth/token".into(),
            client_id: id.into(),
            client_secret: SecretString::from(secret.to_owned()),
            scope: Some("scim".into()),
            params: vec![
                ("token_type".into(), "opaque".into()),
                ("expires_in".into(), "31556952".into()),
            ],
            client_auth,
        }
    }

    #[test]
    fn form_encoding_keeps_unreserved_characters_and_escapes_the_rest() {
        assert_eq!(encode("abcXYZ019*-._"), "abcXYZ019*-._");
        assert_eq!(encode("a b"), "a+b");
        assert_eq!(encode("a+b"), "a%2Bb");
        assert_eq!(encode("p:w&x=y%z/~"), "p%3Aw%26x%3Dy%25z%2F%7E");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn the_talkdesk_request_body_carries_the_grant_scope_and_extra_fields_in_order() {
        let basic = credentials("td-client", "s3cret", ClientAuthentication::Basic);
        assert_eq!(
            body(&fields(&basic)),
            "grant_type=client_credentials&scope=scim&token_type=opaque&expires_in=31556952"
        );
    }

    #[test]
    fn form_authentication_puts_the_client_id_and_secret_in_the_body() {
        let form = credentials("id with space", "p&ss=w+rd", ClientAuthentication::Form);
        let text = body(&fields(&form));
        assert!(
            text.ends_with("&client_id=id+with+space&client_secret=p%26ss%3Dw%2Brd"),
            "{text}"
        );
    }

    #[test]
    fn basic_credentials_follow_the_rfc_6749_example() {
        // RFC 6749 §2.3.1 shows client `s6BhdRkqt3` with secret `7Fjfp0ZBr1KtDRbnfVdmIw`.
        let plain = credentials(
            "s6BhdRkqt3",
            "7Fjfp0ZBr1KtDRbnfVdmIw",
            ClientAuthentication::Basic,
        );
        assert_eq!(
            basic_header(&plain),
            "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"
        );
    }

    #[test]
    fn a_colon_or_a_non_ascii_letter_is_form_encoded_before_base64() {
        let special = credentials("client:1", "sé cret:+", ClientAuthentication::Basic);
        assert_eq!(basic_pair(&special), "client%3A1:s%C3%A9+cret%3A%2B");
        // base64("client%3A1:s%C3%A9+cret%3A%2B")
        assert_eq!(
            basic_header(&special),
            "Basic Y2xpZW50JTNBMTpzJUMzJUE5K2NyZXQlM0ElMkI="
        );
    }
}
