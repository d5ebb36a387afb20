//! SeaORM entities of the example OAuth SaaS backend.
//!
//! The application has users who belong to organizations, OAuth clients registered by
//! organizations, accounts linked at external identity providers, refresh tokens issued to
//! clients, API keys and an audit log. The entities exercise what real applications declare:
//! uuid and auto-increment keys, unique columns and unique groups, indexes, defaults, enums,
//! JSON, decimals, text, comments and foreign keys with ON DELETE actions.

pub mod api_key;
pub mod audit_event;
pub mod membership;
pub mod oauth_account;
pub mod oauth_client;
pub mod organization;
pub mod refresh_token;
pub mod sea_orm_active_enums;
pub mod user;

pub mod prelude {
    //! The entities under their conventional names.
    pub use super::api_key::Entity as ApiKey;
    pub use super::audit_event::Entity as AuditEvent;
    pub use super::membership::Entity as Membership;
    pub use super::oauth_account::Entity as OauthAccount;
    pub use super::oauth_client::Entity as OauthClient;
    pub use super::organization::Entity as Organization;
    pub use super::refresh_token::Entity as RefreshToken;
    pub use super::user::Entity as User;
}
