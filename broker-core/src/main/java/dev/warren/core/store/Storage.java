package dev.warren.core.store;

/** What a broker keeps on disk and how much it keeps in memory. */
public record Storage(MessageStore messages, DefinitionStore definitions, MemoryBudget memory, ResourceAlarm diskAlarm) {
    /** Nothing on disk, no memory limit: for tests and embedded brokers. */
    public static Storage inMemory() {
        return new Storage(NoStore.INSTANCE, DefinitionStore.NONE, MemoryBudget.unlimited(), new ResourceAlarm("disk"));
    }
}
