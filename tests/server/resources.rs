//! The reference server over real HTTP: lifecycle, discovery, and the life of Users and
//! Groups (create, read, replace, delete, uniqueness, validation, membership, ETags).

use crate::support::server::*;

use serde_json::{Value, json};

#[tokio::test]
async fn start_gives_a_base_url_on_loopback_and_shutdown_stops_it() {
    let scim = Scim::start().await;
    assert!(scim.base.starts_with("http://127.0.0.1:"), "{}", scim.base);
    assert!(scim.base.ends_with("/scim/v2"));
    assert_ne!(scim.handle.local_addr().port(), 0);
    let addr = scim.handle.local_addr();
    let client = scim.client.clone();
    assert_eq!(scim.get("/ServiceProviderConfig").await.status, 200);
    scim.shutdown().await;
    let after = client
        .get(format!("http://{addr}/scim/v2/ServiceProviderConfig"))
        .send()
        .await;
    assert!(after.is_err(), "the server still answers after shutdown");
}

#[tokio::test]
async fn stop_on_serves_until_the_signal_and_then_stops() {
    let handle = scimcheck::server::start(scimcheck::server::ServerConfig::default())
        .await
        .unwrap();
    let url = format!("{}/ServiceProviderConfig", handle.base_url());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(handle.stop_on(async move {
        let _ = rx.await;
    }));
    let client = http_client();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
    tx.send(()).unwrap();
    running.await.unwrap().unwrap();
    assert!(http_client().get(&url).send().await.is_err());
}

#[tokio::test]
async fn serve_until_binds_the_configured_port() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let config = scimcheck::server::ServerConfig {
        port,
        base_path: "/".into(),
        ..Default::default()
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(scimcheck::server::serve_until(config, async move {
        let _ = rx.await;
    }));
    let url = format!("http://127.0.0.1:{port}/ServiceProviderConfig");
    let mut status = None;
    for _ in 0..50 {
        if let Ok(response) = http_client().get(&url).send().await {
            status = Some(response.status().as_u16());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status, Some(200));
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn service_provider_config_advertises_what_the_server_does() {
    let scim = Scim::start().await;
    let answer = scim.get("/ServiceProviderConfig").await;
    let spc = answer.assert_status(200);
    assert!(answer.content_type().starts_with(SCIM_JSON));
    assert_eq!(
        spc["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"])
    );
    for feature in ["patch", "bulk", "filter", "changePassword", "sort", "etag"] {
        assert_eq!(spc[feature]["supported"], true, "{feature}");
    }
    assert_eq!(spc["filter"]["maxResults"], 200);
    assert_eq!(spc["bulk"]["maxPayloadSize"], 1024 * 1024);
    assert_eq!(spc["bulk"]["maxOperations"], 1000);
    assert_eq!(spc["authenticationSchemes"], json!([]));
    assert!(
        spc["meta"]["location"]
            .as_str()
            .unwrap()
            .ends_with("/ServiceProviderConfig")
    );
}

#[tokio::test]
async fn resource_types_and_schemas_come_as_list_responses_and_singly() {
    let scim = Scim::start().await;
    let types = scim.get("/ResourceTypes").await;
    let types = types.assert_status(200);
    assert_eq!(types["schemas"], json!([LIST]));
    assert_eq!(types["totalResults"], 2);
    let user_type = scim.get("/ResourceTypes/User").await;
    let user_type = user_type.assert_status(200);
    assert_eq!(user_type["endpoint"], "/Users");
    assert_eq!(user_type["schema"], USER);
    assert_eq!(user_type["schemaExtensions"][0]["schema"], ENTERPRISE);
    assert_eq!(user_type["schemaExtensions"][0]["required"], false);
    scim.get("/ResourceTypes/Printer")
        .await
        .assert_error(404, None);

    let schemas = scim.get("/Schemas").await;
    let schemas = schemas.assert_status(200);
    assert_eq!(schemas["totalResults"], 3);
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![USER, ENTERPRISE, GROUP]);
    scim.get("/Schemas/urn:acme:nothing")
        .await
        .assert_error(404, None);
}

#[tokio::test]
async fn user_schema_definitions_are_complete_and_truthful() {
    let scim = Scim::start().await;
    let answer = scim.get(&format!("/Schemas/{USER}")).await;
    let schema = answer.assert_status(200);
    let attribute = |name: &str| -> Value {
        schema["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no attribute {name}"))
    };
    let user_name = attribute("userName");
    assert_eq!(user_name["required"], true);
    assert_eq!(user_name["caseExact"], false);
    assert_eq!(user_name["uniqueness"], "server");
    let password = attribute("password");
    assert_eq!(password["mutability"], "writeOnly");
    assert_eq!(password["returned"], "never");
    let groups = attribute("groups");
    assert_eq!(groups["mutability"], "readOnly");
    assert_eq!(groups["multiValued"], true);
    let emails = attribute("emails");
    let types = &emails["subAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "type")
        .unwrap()["canonicalValues"];
    assert_eq!(types, &json!(["work", "home", "other"]));
    let photos = attribute("photos");
    assert_eq!(
        photos["subAttributes"][0]["referenceTypes"],
        json!(["external"])
    );
    for attribute in schema["attributes"].as_array().unwrap() {
        for key in [
            "name",
            "type",
            "multiValued",
            "description",
            "required",
            "caseExact",
            "mutability",
            "returned",
            "uniqueness",
        ] {
            assert!(attribute.get(key).is_some(), "{key} missing in {attribute}");
        }
    }
}

#[tokio::test]
async fn discovery_refuses_filters_with_403() {
    let scim = Scim::start().await;
    scim.get("/Schemas?filter=id%20pr")
        .await
        .assert_error(403, None);
    // Other query parameters are ignored.
    scim.get("/ResourceTypes?count=1").await.assert_status(200);
}

#[tokio::test]
async fn creating_a_user_answers_201_with_location_etag_and_meta() {
    let scim = Scim::start().await;
    let answer = scim
        .post(
            "/Users",
            json!({
                "schemas": [USER],
                "userName": "ada@example.com",
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
                "active": true,
                "password": "t1ger!",
                "id": "chosen-by-client",
                "meta": {"version": "W/\"client\""},
            }),
        )
        .await;
    let user = answer.assert_status(201);
    assert!(answer.content_type().starts_with(SCIM_JSON));
    let id = id_of(user);
    assert_ne!(id, "chosen-by-client", "ids are assigned by the server");
    let location = answer.header("location").unwrap();
    assert_eq!(location, scim.url(&format!("/Users/{id}")));
    assert_eq!(user["meta"]["location"], location);
    assert_eq!(user["meta"]["resourceType"], "User");
    assert_eq!(user["meta"]["created"], user["meta"]["lastModified"]);
    let etag = answer.header("etag").unwrap();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(user["meta"]["version"], etag);
    assert_eq!(user["schemas"], json!([USER]));
    assert!(user.get("password").is_none(), "password is never returned");

    let read = scim.get(&format!("/Users/{id}")).await;
    assert_eq!(read.assert_status(200), user);
    assert_eq!(read.header("etag"), Some(etag));
}

#[tokio::test]
async fn user_names_are_unique_case_insensitively() {
    let scim = Scim::start().await;
    scim.create_user("Grace@Example.com").await;
    let answer = scim.post("/Users", user("grace@example.COM")).await;
    answer.assert_error(409, Some("uniqueness"));
    assert!(answer.body["detail"].as_str().unwrap().contains("userName"));
    // Groups may share a displayName: its uniqueness is none.
    scim.create_group("Admins", &[]).await;
    scim.create_group("Admins", &[]).await;
}

#[tokio::test]
async fn invalid_users_are_rejected_with_the_right_scim_type() {
    let scim = Scim::start().await;
    let cases = [
        (json!({"schemas": [USER]}), "invalidValue"),
        (json!({"schemas": [USER], "userName": ""}), "invalidValue"),
        (json!({"userName": "a"}), "invalidValue"),
        (json!({"schemas": USER, "userName": "a"}), "invalidSyntax"),
        (json!({"schemas": [GROUP], "userName": "a"}), "invalidValue"),
        (
            json!({"schemas": [USER, "urn:acme:x"], "userName": "a"}),
            "invalidValue",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "active": "maybe"}),
            "invalidValue",
        ),
        (json!({"schemas": [USER], "userName": 7}), "invalidValue"),
        (
            json!({"schemas": [USER], "userName": "a", "emails": "a@x"}),
            "invalidValue",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "favouriteColour": "red"}),
            "invalidSyntax",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "name": {"nick": "x"}}),
            "invalidSyntax",
        ),
        (json!(["not", "an", "object"]), "invalidSyntax"),
    ];
    for (body, scim_type) in cases {
        let answer = scim.post("/Users", body.clone()).await;
        assert_eq!(answer.status, 400, "{body} -> {}", answer.text);
        assert_eq!(
            answer.body["scimType"], scim_type,
            "{body} -> {}",
            answer.text
        );
    }
    let list = scim.get("/Users").await;
    assert_eq!(list.body["totalResults"], 0, "nothing was created");
}

#[tokio::test]
async fn enterprise_extension_round_trips_and_is_listed_in_schemas() {
    let scim = Scim::start().await;
    let manager = scim.create_user("boss").await;
    let user = scim
        .create(
            "/Users",
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "worker",
                ENTERPRISE: {"employeeNumber": "42", "manager": {"value": id_of(&manager)}},
            }),
        )
        .await;
    assert_eq!(user["schemas"], json!([USER, ENTERPRISE]));
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "42");
    assert_eq!(user[ENTERPRISE]["manager"]["displayName"], "boss");
    assert_eq!(
        user[ENTERPRISE]["manager"]["$ref"],
        scim.url(&format!("/Users/{}", id_of(&manager)))
    );
    let undeclared = scim
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "x", ENTERPRISE: {"department": "R&D"}}),
        )
        .await;
    undeclared.assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn put_replaces_readwrite_attributes_and_ignores_read_only_ones() {
    let scim = Scim::start().await;
    let created = scim
        .create(
            "/Users",
            json!({"schemas": [USER], "userName": "lin", "title": "Engineer",
                   "displayName": "Lin", "password": "secret1"}),
        )
        .await;
    let id = id_of(&created);
    let answer = scim
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "id": "other", "userName": "lin2", "displayName": "Lin Two",
                   "meta": {"created": "2000-01-01T00:00:00Z"}}),
        )
        .await;
    let replaced = answer.assert_status(200);
    assert_eq!(replaced["id"], id.as_str());
    assert_eq!(replaced["userName"], "lin2");
    assert!(
        replaced.get("title").is_none(),
        "omitted attributes are cleared"
    );
    assert_eq!(replaced["meta"]["created"], created["meta"]["created"]);
    assert_ne!(replaced["meta"]["version"], created["meta"]["version"]);
    assert_eq!(answer.header("etag").unwrap(), replaced["meta"]["version"]);

    scim.put("/Users/missing", user("x"))
        .await
        .assert_error(404, None);
    scim.create_user("taken").await;
    scim.put(&format!("/Users/{id}"), user("TAKEN"))
        .await
        .assert_error(409, Some("uniqueness"));
    scim.put(&format!("/Users/{id}"), json!({"schemas": [USER]}))
        .await
        .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn delete_answers_204_then_the_user_is_gone() {
    let scim = Scim::start().await;
    let id = id_of(&scim.create_user("gone").await);
    let answer = scim.delete(&format!("/Users/{id}")).await;
    assert_eq!(answer.status, 204);
    assert!(answer.text.is_empty());
    scim.get(&format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    scim.delete(&format!("/Users/{id}"))
        .await
        .assert_error(404, None);
    // The userName is free again.
    scim.create_user("gone").await;
}

#[tokio::test]
async fn etags_change_on_every_write_and_guard_writes() {
    let scim = Scim::start().await;
    let created = scim.post("/Users", user("etag")).await;
    let id = id_of(&created.body);
    let path = format!("/Users/{id}");
    let first = created.header("etag").unwrap().to_string();

    let not_modified = scim
        .send(
            scim.request(reqwest::Method::GET, &path)
                .header("if-none-match", &first),
        )
        .await;
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.text.is_empty());

    // Two writes within the same second still give two versions.
    let mut seen = vec![first.clone()];
    for title in ["a", "b"] {
        let answer = scim
            .patch_ops(
                &path,
                json!([{"op": "replace", "path": "title", "value": title}]),
            )
            .await;
        let etag = answer.header("etag").unwrap().to_string();
        assert!(!seen.contains(&etag), "{etag} repeated");
        seen.push(etag);
    }
    let current = seen.last().unwrap().clone();

    let stale = scim
        .send(
            scim.request(reqwest::Method::PUT, &path)
                .header("if-match", &first)
                .header("content-type", SCIM_JSON)
                .body(user("etag2").to_string()),
        )
        .await;
    stale.assert_error(412, None);
    let fresh = scim
        .send(
            scim.request(reqwest::Method::PUT, &path)
                .header("if-match", &current)
                .header("content-type", SCIM_JSON)
                .body(user("etag2").to_string()),
        )
        .await;
    fresh.assert_status(200);
    let modified = scim
        .send(
            scim.request(reqwest::Method::GET, &path)
                .header("if-none-match", &first),
        )
        .await;
    modified.assert_status(200);
    let stale_delete = scim
        .send(
            scim.request(reqwest::Method::DELETE, &path)
                .header("if-match", &current),
        )
        .await;
    stale_delete.assert_error(412, None);
    let delete = scim
        .send(
            scim.request(reqwest::Method::DELETE, &path)
                .header("if-match", "*"),
        )
        .await;
    assert_eq!(delete.status, 204);
}

#[tokio::test]
async fn groups_keep_members_and_users_see_their_groups() {
    let scim = Scim::start().await;
    let ada = id_of(&scim.create_user("ada").await);
    let bob = id_of(&scim.create_user("bob").await);
    let group = scim.create_group("Engineers", &[&ada, &bob]).await;
    let group_id = id_of(&group);
    assert_eq!(values_of(&group, "members"), {
        let mut v = vec![ada.clone(), bob.clone()];
        v.sort();
        v
    });
    let member = &group["members"][0];
    assert_eq!(member["type"], "User");
    assert_eq!(member["display"], "ada");
    assert_eq!(member["$ref"], scim.url(&format!("/Users/{ada}")));

    let ada_now = scim.get(&format!("/Users/{ada}")).await.body;
    assert_eq!(ada_now["groups"][0]["value"], group_id.as_str());
    assert_eq!(ada_now["groups"][0]["display"], "Engineers");
    assert_eq!(ada_now["groups"][0]["type"], "direct");

    // Nested groups make indirect memberships.
    let outer = id_of(&scim.create_group("Staff", &[&group_id]).await);
    let ada_now = scim.get(&format!("/Users/{ada}")).await.body;
    assert_eq!(values_of(&ada_now, "groups").len(), 2);
    let indirect = ada_now["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["value"] == outer.as_str())
        .unwrap();
    assert_eq!(indirect["type"], "indirect");

    // groups is readOnly: ignored on input (bob stays only indirectly in Staff).
    let put = scim
        .put(
            &format!("/Users/{bob}"),
            json!({"schemas": [USER], "userName": "bob",
                   "groups": [{"value": outer, "type": "direct"}]}),
        )
        .await;
    let bob_groups = put.assert_status(200)["groups"].clone();
    assert_eq!(
        bob_groups,
        json!([
            {"value": group_id, "$ref": scim.url(&format!("/Groups/{group_id}")),
             "type": "direct", "display": "Engineers"},
            {"value": outer, "$ref": scim.url(&format!("/Groups/{outer}")),
             "type": "indirect", "display": "Staff"},
        ])
    );

    // Deleting a user removes it from its groups.
    assert_eq!(scim.delete(&format!("/Users/{ada}")).await.status, 204);
    let group_now = scim.get(&format!("/Groups/{group_id}")).await.body;
    assert_eq!(values_of(&group_now, "members"), vec![bob.clone()]);

    // Deleting a group removes it from users' groups.
    assert_eq!(
        scim.delete(&format!("/Groups/{group_id}")).await.status,
        204
    );
    let bob_now = scim.get(&format!("/Users/{bob}")).await.body;
    assert!(bob_now.get("groups").is_none(), "{bob_now}");
}

#[tokio::test]
async fn membership_changes_give_the_user_a_new_version() {
    let scim = Scim::start().await;
    let user = scim.create_user("versioned").await;
    let id = id_of(&user);
    let group = id_of(&scim.create_group("G", &[]).await);
    scim.patch_ops(
        &format!("/Groups/{group}"),
        json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
    )
    .await
    .assert_status(200);
    let after = scim.get(&format!("/Users/{id}")).await.body;
    assert_ne!(after["meta"]["version"], user["meta"]["version"]);
}

#[tokio::test]
async fn group_members_must_exist_and_match_their_type() {
    let scim = Scim::start().await;
    let ada = id_of(&scim.create_user("ada").await);
    scim.post("/Groups", group("G", &["no-such-id"]))
        .await
        .assert_error(400, Some("invalidValue"));
    scim.post(
        "/Groups",
        json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": ada, "type": "Group"}]}),
    )
    .await
    .assert_error(400, Some("invalidValue"));
    scim.post("/Groups", json!({"schemas": [GROUP]}))
        .await
        .assert_error(400, Some("invalidValue"));
    // A group cannot end up inside itself.
    let inner = id_of(&scim.create_group("inner", &[]).await);
    let outer = id_of(&scim.create_group("outer", &[&inner]).await);
    scim.patch_ops(
        &format!("/Groups/{inner}"),
        json!([{"op": "add", "path": "members", "value": [{"value": outer}]}]),
    )
    .await
    .assert_error(400, Some("invalidValue"));
}

#[tokio::test]
async fn me_is_not_implemented() {
    let scim = Scim::start().await;
    scim.get("/Me").await.assert_error(501, None);
}

#[tokio::test]
async fn locations_follow_the_host_the_client_used() {
    let scim = Scim::start().await;
    let answer = scim
        .send(
            scim.request(reqwest::Method::POST, "/Users")
                .header("host", "scim.example:8443")
                .header("content-type", SCIM_JSON)
                .body(user("hosted").to_string()),
        )
        .await;
    let location = answer.header("location").unwrap();
    assert!(
        location.starts_with("http://scim.example:8443/scim/v2/Users/"),
        "{location}"
    );
    assert_eq!(answer.body["meta"]["location"], location);
}

#[tokio::test]
async fn put_of_a_group_replaces_its_members_and_fills_in_their_details() {
    let scim = Scim::start().await;
    let ada = id_of(&scim.create_user("ada").await);
    let bob = id_of(&scim.create_user("bob").await);
    let group = id_of(&scim.create_group("G", &[&ada]).await);
    let answer = scim
        .put(
            &format!("/Groups/{group}"),
            json!({"schemas": [GROUP], "displayName": "Renamed",
                   "members": [{"value": bob, "display": "made up", "$ref": "http://elsewhere/x"}]}),
        )
        .await;
    let replaced = answer.assert_status(200);
    assert_eq!(
        replaced["members"],
        json!([{"value": bob, "$ref": scim.url(&format!("/Users/{bob}")), "type": "User", "display": "bob"}])
    );
    let ada_now = scim.get(&format!("/Users/{ada}")).await.body;
    assert!(ada_now.get("groups").is_none());
    let bob_now = scim.get(&format!("/Users/{bob}")).await.body;
    assert_eq!(bob_now["groups"][0]["display"], "Renamed");
}

#[tokio::test]
async fn created_resources_honour_attributes_in_the_query() {
    let scim = Scim::start().await;
    let answer = scim
        .post(
            "/Users?attributes=userName",
            json!({"schemas": [USER], "userName": "slim", "title": "Hidden"}),
        )
        .await;
    let body = answer.assert_status(201);
    assert_eq!(body["userName"], "slim");
    assert!(body.get("title").is_none() && body.get("meta").is_none());
    assert!(answer.header("etag").is_some());
}
