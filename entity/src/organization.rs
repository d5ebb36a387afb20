//! A customer account that users belong to.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations", comment = "Customer accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "String(StringLen::N(120))")]
    pub name: String,
    #[sea_orm(unique, column_type = "String(StringLen::N(63))")]
    pub slug: String,
    #[sea_orm(
        column_type = "Decimal(Some((12, 2)))",
        default_value = 0,
        comment = "Prepaid balance in the billing currency"
    )]
    pub billing_balance: Decimal,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub memberships: HasMany<super::membership::Entity>,
    #[sea_orm(has_many)]
    pub oauth_clients: HasMany<super::oauth_client::Entity>,
    #[sea_orm(has_many)]
    pub api_keys: HasMany<super::api_key::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
