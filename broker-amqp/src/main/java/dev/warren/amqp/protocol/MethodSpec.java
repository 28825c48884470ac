package dev.warren.amqp.protocol;

import java.util.List;

/**
 * The definition of one protocol method: ids, name, whether content follows it, and its fields in wire
 * order. One table of these ({@link Methods}) drives both decoding and encoding.
 */
public final class MethodSpec {
    private final int classId;
    private final int methodId;
    private final String name;
    private final boolean hasContent;
    private final List<FieldSpec> fields;

    MethodSpec(int classId, int methodId, String name, boolean hasContent, List<FieldSpec> fields) {
        this.classId = classId;
        this.methodId = methodId;
        this.name = name;
        this.hasContent = hasContent;
        this.fields = fields;
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /** The spec's name, e.g. {@code queue.declare}. */
    public String name() {
        return name;
    }

    /** True when a content header and body frames follow this method. */
    public boolean hasContent() {
        return hasContent;
    }

    public List<FieldSpec> fields() {
        return fields;
    }

    /** The position of a field by name; an unknown name is a programming error. */
    public int indexOf(String fieldName) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(fieldName)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name + " has no field '" + fieldName + "'");
    }

    /** A method of this kind with the given field values, in field order. */
    public Method with(Object... values) {
        if (values.length != fields.size()) {
            throw new IllegalArgumentException(name + " takes " + fields.size() + " fields, got " + values.length);
        }
        return new Method(this, values);
    }

    @Override
    public String toString() {
        return name;
    }
}
