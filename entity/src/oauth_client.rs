//! An application registered by an organization to use OAuth.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_clients", comment = "Registered OAuth applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    #[sea_orm(unique, column_type = "String(StringLen::N(64))")]
    pub client_id: String,
    #[sea_orm(
        column_type = "String(StringLen::N(255))",
        comment = "Argon2 hash of the client secret"
    )]
    pub client_secret_hash: String,
    #[sea_orm(column_type = "String(StringLen::N(120))")]
    pub name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub redirect_uris: Json,
    #[sea_orm(default_value = true)]
    pub is_confidential: bool,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "organization_id", to = "id", on_delete = "Cascade")]
    pub organization: HasOne<super::organization::Entity>,
    #[sea_orm(has_many)]
    pub refresh_tokens: HasMany<super::refresh_token::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
