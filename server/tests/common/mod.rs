//! What the server's integration tests share: a small campaign, a real server on an
//! ephemeral loopback port, and a real HTTP client.

#![allow(dead_code)]

use std::time::Duration;

use fairbook_server::{AppState, Campaign, RunningServer, start};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;

pub const ADMIN: &str = "test-admin";
pub const SECRET_HEX: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A campaign of four slots (capacities 0, 1, 2, 5), a door that admits nobody until an admin
/// changes its policy, and two cohorts, the second closed.
pub fn campaign_toml() -> String {
    format!(
        r#"
[server]
listen = "127.0.0.1:0"
tick_ms = 20
admin_token = "{ADMIN}"
events_poll_ms = 20

[engine]
people_max = 1000
slots_max = 16
lease_ms = 60000
standby_max = 0

[[cohorts]]
name = "first"

[[cohorts]]
name = "second"
open = false

[inventory]
slots = [
  {{ site = 1, day = 0, window = 0, capacity = 0 }},
  {{ site = 1, day = 0, window = 1, capacity = 1 }},
  {{ site = 2, day = 1, window = 0, capacity = 2 }},
  {{ site = 3, day = 2, window = 3, capacity = 5 }},
]

[outflow]
active_max = 0

[passes]
signing_key = 1
keys = [{{ id = 1, secret_hex = "{SECRET_HEX}" }}]
"#
    )
}

/// A running server and a client for it.
pub struct Harness {
    pub server: RunningServer,
    pub client: Client,
    pub url: String,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(&campaign_toml()).await
    }

    pub async fn start_with(toml: &str) -> Harness {
        let campaign = Campaign::from_toml(toml).expect("valid campaign");
        let state = AppState::from_campaign(&campaign).expect("engine builds");
        Harness::start_state(state).await
    }

    pub async fn start_state(state: AppState) -> Harness {
        let server = start(state, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("binds a loopback port");
        let url = server.url();
        Harness {
            server,
            client: Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            url,
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(format!("{}{path}", self.url))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(format!("{}{path}", self.url))
    }

    pub fn admin(&self, request: RequestBuilder) -> RequestBuilder {
        request.bearer_auth(ADMIN)
    }

    pub async fn join(&self, person: u64) -> Response {
        self.post("/api/join")
            .header("x-fairbook-person", person.to_string())
            .send()
            .await
            .unwrap()
    }

    pub async fn status(&self, person: u64) -> Value {
        let response = self
            .get("/api/status")
            .header("x-fairbook-person", person.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn reserve(&self, person: u64, pass: Option<&str>, choices: &[u32]) -> Response {
        let mut request = self
            .post("/api/reserve")
            .header("x-fairbook-person", person.to_string())
            .json(&serde_json::json!({ "choices": choices }));
        if let Some(pass) = pass {
            request = request.header("x-fairbook-pass", pass);
        }
        request.send().await.unwrap()
    }

    /// Lets everybody waiting in (no limit on the door).
    pub async fn open_door(&self) {
        let response = self
            .admin(self.client.put(format!("{}/admin/outflow", self.url)))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    /// Polls the person's status until its state is `state` (the door ticks every 20 ms).
    pub async fn wait_for_state(&self, person: u64, state: &str) -> Value {
        for _ in 0..500 {
            let view = self.status(person).await;
            if view["status"]["state"] == state {
                return view;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("person {person} never reached {state}");
    }

    pub async fn audit(&self) -> Value {
        let response = self.admin(self.get("/admin/audit")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("stops cleanly");
    }
}

/// The error body's code, checking the status on the way.
pub async fn code_of(response: Response, status: u16) -> String {
    assert_eq!(response.status(), status, "{response:?}");
    let body: Value = response.json().await.unwrap();
    body["code"].as_str().unwrap().to_owned()
}
