//! A refresh token issued to a client on behalf of a user.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique, column_type = "String(StringLen::N(64))")]
    pub token_hash: String,
    pub user_id: Uuid,
    pub client_id: Uuid,
    #[sea_orm(column_type = "Text", nullable)]
    pub scopes: Option<String>,
    pub expires_at: DateTimeUtc,
    #[sea_orm(default_value = false)]
    pub revoked: bool,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: HasOne<super::user::Entity>,
    #[sea_orm(belongs_to, from = "client_id", to = "id", on_delete = "Cascade")]
    pub client: HasOne<super::oauth_client::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
