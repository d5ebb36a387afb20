//! A person who signs in.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users", comment = "People who can sign in")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique, column_type = "String(StringLen::N(255))")]
    pub email: String,
    #[sea_orm(indexed, column_type = "String(StringLen::N(120))")]
    pub full_name: String,
    #[sea_orm(default_value = true)]
    pub is_active: bool,
    #[sea_orm(comment = "When the address was confirmed; null until then")]
    pub email_verified_at: Option<DateTimeUtc>,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub memberships: HasMany<super::membership::Entity>,
    #[sea_orm(has_many)]
    pub oauth_accounts: HasMany<super::oauth_account::Entity>,
    #[sea_orm(has_many)]
    pub refresh_tokens: HasMany<super::refresh_token::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
