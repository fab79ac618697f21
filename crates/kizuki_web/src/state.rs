use std::sync::Arc;

use kizuki_domain::Timestamp;
use kizuki_store::Store;

use crate::config::WebConfig;

use crate::clock::{Clock, system_clock};

/// Everything a handler may need. It holds no mutable state of its own: sessions, throttles and
/// keys live in the database, so several processes behind one load balancer behave as one.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: WebConfig,
    csrf_key: Vec<u8>,
    link_key: Vec<u8>,
    clock: Clock,
    pages: crate::microcache::MicroCache,
    mixer: crate::questionnaire::mixer::Mixer,
}

impl AppState {
    /// Builds the state, reading (or, on first start, creating) the shared CSRF key.
    pub async fn new(
        store: Store,
        config: WebConfig,
    ) -> Result<AppState, kizuki_store::StoreError> {
        Self::with_clock(store, config, system_clock()).await
    }

    pub async fn with_clock(
        store: Store,
        config: WebConfig,
        clock: Clock,
    ) -> Result<AppState, kizuki_store::StoreError> {
        let candidate = kizuki_domain::secret::generate(
            kizuki_domain::secret::SecretKind::Session,
            &mut rand::rng(),
        );
        let csrf_key = store
            .site_key("csrf", &candidate.digest)
            .await?
            .into_bytes();
        let candidate = kizuki_domain::secret::generate(
            kizuki_domain::secret::SecretKind::Session,
            &mut rand::rng(),
        );
        let link_key = store
            .site_key("application-links", &candidate.digest)
            .await?
            .into_bytes();
        let mixer = crate::questionnaire::mixer::Mixer::default();
        // Seen before it holds any code, so that no other server takes it for a silent one.
        store.mixer_seen(mixer.holder(), clock()).await?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                config,
                csrf_key,
                link_key,
                clock,
                pages: crate::microcache::MicroCache::default(),
                mixer,
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub fn csrf_key(&self) -> &[u8] {
        &self.inner.csrf_key
    }

    /// The key applicants' private links are made with.
    pub fn link_key(&self) -> &[u8] {
        &self.inner.link_key
    }

    pub fn public_url(&self) -> &str {
        self.inner.config.public_url.trim_end_matches('/')
    }

    pub fn pages(&self) -> &crate::microcache::MicroCache {
        &self.inner.pages
    }

    /// This server's answer mixer.
    pub fn mixer(&self) -> &crate::questionnaire::mixer::Mixer {
        &self.inner.mixer
    }

    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }
}
