//! Every column type an entity can declare, nullable and not, with and without defaults.

use sea_orm::entity::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "s_color")]
pub enum Color {
    #[sea_orm(string_value = "red")]
    Red,
    #[sea_orm(string_value = "green")]
    Green,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "s_types")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub string: String,
    pub string_null: Option<String>,
    #[sea_orm(column_type = "String(StringLen::N(20))", default_value = "hi")]
    pub varchar_default: String,
    #[sea_orm(column_type = "Char(Some(3))")]
    pub fixed: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub text_null: Option<String>,
    pub tiny: i8,
    pub small: i16,
    #[sea_orm(default_value = 42)]
    pub int_default: i32,
    pub big_null: Option<i64>,
    pub tiny_u: u8,
    pub small_u: u16,
    pub int_u: u32,
    pub big_u: u64,
    pub real: f32,
    #[sea_orm(default_value = 1.5)]
    pub double_default: f64,
    #[sea_orm(column_type = "Decimal(Some((16, 4)))", default_value = 0)]
    pub money: Decimal,
    pub decimal_null: Option<Decimal>,
    #[sea_orm(default_value = false)]
    pub flag: bool,
    pub flag_null: Option<bool>,
    pub day: Date,
    pub clock: Option<Time>,
    pub local: DateTime,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub stamped: DateTimeUtc,
    pub zoned_null: Option<DateTimeWithTimeZone>,
    pub uuid: Uuid,
    pub uuid_null: Option<Uuid>,
    pub json: Json,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub jsonb_null: Option<Json>,
    pub bytes: Vec<u8>,
    #[sea_orm(column_type = "Binary(16)")]
    pub fixed_bytes: Vec<u8>,
    #[sea_orm(column_type = "VarBinary(StringLen::N(32))", nullable)]
    pub var_bytes: Option<Vec<u8>>,
    pub color: Color,
    pub color_null: Option<Color>,
}

impl ActiveModelBehavior for ActiveModel {}
