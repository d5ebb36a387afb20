//! A long-lived key an organization uses to call the API.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys", comment = "Organization API keys; only hashes are stored")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(120))")]
    pub name: String,
    #[sea_orm(
        unique,
        column_type = "String(StringLen::N(12))",
        comment = "Public prefix shown in the dashboard"
    )]
    pub prefix: String,
    #[sea_orm(column_type = "String(StringLen::N(64))")]
    pub key_hash: String,
    pub last_used_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "organization_id", to = "id", on_delete = "Cascade")]
    pub organization: HasOne<super::organization::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
