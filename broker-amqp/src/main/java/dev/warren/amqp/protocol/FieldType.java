package dev.warren.amqp.protocol;

/**
 * The wire types of method fields. Consecutive {@link #BIT} fields share one octet, as the spec packs them.
 * Decoded Java values: BIT Boolean, OCTET/SHORT Integer, LONG/LONGLONG/TIMESTAMP Long,
 * SHORTSTR String, LONGSTR byte[], TABLE Map.
 */
public enum FieldType {
    BIT, OCTET, SHORT, LONG, LONGLONG, SHORTSTR, LONGSTR, TIMESTAMP, TABLE
}
