//! What every use case and every call runs on: the store, the settings, the master key, and
//! the parts a long-running process keeps between requests — circuit breakers, upstream
//! clients, the group commit for hot writes, and caches of tenants, schedules and service
//! matchers. Below both the operator's use cases ([`crate::ops`]) and the call-time functions
//! ([`crate::functions`]), which share it.

pub mod breaker;
pub mod catalogs;
pub mod commit;
pub mod tenants;

use std::sync::{Arc, OnceLock};

use crate::calendar::Calendar;
use crate::clients::calcom::{Client, ClientConfig};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::secrets::{mask, KeySource, MasterKey};
use crate::store::{Company, PoolSize, SealedSecret, SecretField, Store, Write, Written};

/// What a use case needs: the store, the settings, and (loaded on first use) the master key.
pub struct App {
    pub store: Arc<dyn Store>,
    pub settings: Settings,
    /// Circuit breakers per company and upstream (the daemon's; a CLI run has its own).
    pub breakers: breaker::Breakers,
    /// Cal.com clients by API key (see [`App::calcom_client`]).
    calcom_clients: std::sync::Mutex<std::collections::HashMap<String, Client>>,
    /// Calls' tenants, briefly remembered.
    pub(crate) tenants: tenants::TenantCache,
    /// Branch schedules kept in memory for the local calendar: the daemon's (see
    /// [`crate::calendar::schedules`]); a command reads busy times each time.
    pub schedules: Option<Arc<crate::calendar::Schedules>>,
    /// Service matchers kept per company: the daemon's (see [`catalogs::kept_catalog`]).
    pub catalogs: Option<catalogs::Catalogs>,
    /// Where the store's time goes, when its operations are counted (the daemon's; see
    /// [`App::count_store_time`]).
    pub meter: Option<Arc<crate::meter::Meter>>,
    /// The group commit for hot writes, started on first use.
    commits: OnceLock<commit::GroupCommit>,
    master_key: OnceLock<MasterKey>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> App {
        // Secrets the settings carry; those in the database are remembered as they are opened.
        if let Some(key) = &settings.retell_api_key {
            crate::secrets::remember(key);
        }
        if let crate::secrets::KeySource::Env(key) = &settings.master_key {
            crate::secrets::remember(key);
        }
        App {
            store,
            settings,
            breakers: breaker::Breakers::default(),
            calcom_clients: Default::default(),
            tenants: Default::default(),
            schedules: None,
            catalogs: None,
            meter: None,
            commits: OnceLock::new(),
            master_key: OnceLock::new(),
        }
    }

    /// Connects the configured store (migrating it) and builds the context.
    pub async fn connect(settings: Settings, pool: PoolSize) -> Result<App> {
        let store = crate::store::connect(&settings.database_url, pool).await?;
        Ok(App::new(store, settings))
    }

    /// Counts the store's operations from now on (see [`crate::meter`]): before the first
    /// use of the store, so that every later use goes through the counting wrapper.
    pub fn count_store_time(&mut self) {
        if self.meter.is_none() {
            let (store, meter) = crate::store::Metered::wrap(self.store.clone());
            self.store = store;
            self.meter = Some(meter);
        }
    }

    /// What the meter has counted, with the caches' hits and sizes; `None` when the store's
    /// operations are not counted.
    pub fn meter_snapshot(&self) -> Option<crate::meter::Snapshot> {
        let meter = self.meter.as_ref()?;
        let mut caches = vec![self.tenants.snapshot()];
        caches.extend(self.catalogs.as_ref().map(|c| c.snapshot()));
        caches.extend(self.schedules.as_ref().map(|s| s.snapshots()).unwrap_or_default());
        Some(meter.snapshot_with(caches, self.store.last_checkpoint()))
    }

    /// Commits a hot write together with other requests' (see [`commit`]); returns once it
    /// is durable.
    pub async fn commit(&self, write: Write) -> Result<Written> {
        self.commits.get_or_init(|| commit::GroupCommit::start(self.store.clone())).commit(write).await
    }

    /// The master key, loaded (or, for the embedded default, created) the first time a secret is
    /// sealed or opened; commands that touch no secret never read it. A missing key file is
    /// created only for a database that holds no sealed secret yet: a new key could not open
    /// them, and the operator's restored key file would then have to replace it.
    pub async fn master_key(&self) -> Result<&MasterKey> {
        if let Some(key) = self.master_key.get() {
            return Ok(key);
        }
        if let KeySource::File(path) = &self.settings.master_key {
            if !path.exists() && self.store.holds_sealed_secrets().await? {
                return Err(Error::config(format!(
                    "the key file {} is missing, but the database holds secrets sealed with it",
                    path.display()
                ))
                .with_help("restore askpro.key from your backup beside the database, or set ASKPRO_MASTER_KEY"));
            }
        }
        let key = MasterKey::load(&self.settings.master_key)?;
        Ok(self.master_key.get_or_init(|| key))
    }

    /// Seals a secret for storage together with its masked hint.
    pub async fn seal(&self, field: SecretField, plain: &str) -> Result<SealedSecret> {
        Ok(SealedSecret { sealed: self.master_key().await?.seal(field.name(), plain), hint: mask(plain) })
    }

    /// Reads and decrypts a company secret.
    pub async fn company_secret(&self, company_id: i64, field: SecretField) -> Result<Option<String>> {
        match self.store.company_secret(company_id, field).await? {
            Some(sealed) => Ok(Some(self.master_key().await?.open(field.name(), &sealed)?)),
            None => Ok(None),
        }
    }
}

impl App {
    /// The Cal.com client for the company's key, against `CALCOM_BASE_URL`. One client per key
    /// lives as long as the process, so its request budget (Cal.com counts per key) and its
    /// connections are shared by every call; a changed key gets a new one.
    pub async fn calcom_client(&self, company: &Company) -> Result<Client> {
        let key = self.company_secret(company.id, SecretField::CalcomApiKey).await?.ok_or_else(|| {
            Error::unset(format!("company {} has no Cal.com API key", company.id)).with_help(format!(
                "set it with `askpro company:config --company-id {} --calcom-api-key cal_live_…`",
                company.id
            ))
        })?;
        let mut clients = self.calcom_clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let config = ClientConfig { base_url: self.settings.calcom_base_url.clone(), ..ClientConfig::default() };
        let client = Client::new(key.clone(), config)?;
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// The company's Cal.com team id, or a clear error.
    pub fn calcom_team(&self, company: &Company) -> Result<i64> {
        company.calcom_team_id.ok_or_else(|| {
            Error::unset(format!("company {} has no Cal.com team id", company.id))
                .with_help("create the company with --calcom-team-id ID")
        })
    }

    /// The calendar the company schedules in.
    pub async fn calendar(&self, company: &Company) -> Result<Arc<dyn Calendar>> {
        let client = match company.scheduling.as_str() {
            "calcom" => Some(self.calcom_client(company).await?),
            _ => None,
        };
        crate::calendar::for_company(self.store.clone(), company, client, self.schedules.clone())
    }
}
