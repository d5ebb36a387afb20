//! An identity at an external provider linked to a user.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: Uuid,
    #[sea_orm(unique_key = "provider_account", column_type = "String(StringLen::N(32))")]
    pub provider: String,
    #[sea_orm(unique_key = "provider_account", column_type = "String(StringLen::N(191))")]
    pub provider_user_id: String,
    #[sea_orm(column_type = "String(StringLen::N(255))", nullable)]
    pub email: Option<String>,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub linked_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: HasOne<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
