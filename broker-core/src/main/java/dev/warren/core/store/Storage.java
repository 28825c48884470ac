package dev.warren.core.store;

import dev.warren.core.cluster.NodeLink;
import dev.warren.core.quorum.QuorumLogs;
import java.util.List;

/**
 * What a broker keeps on disk and how much it keeps in memory, with the two resource alarms that block
 * publishers: free disk below its limit (raised by the store) and memory use above its watermark; and, in a
 * cluster, the replicated logs that hold quorum queues' messages and the link to the other nodes, which hold their
 * classic queues.
 */
public record Storage(MessageStore messages, DefinitionStore definitions, MemoryBudget memory, ResourceAlarm diskAlarm,
                      MemoryAlarm memoryAlarm, QuorumLogs quorum, NodeLink nodes) {
    /** Outside a cluster: no quorum queue logs. */
    public Storage(MessageStore messages, DefinitionStore definitions, MemoryBudget memory, ResourceAlarm diskAlarm,
                   MemoryAlarm memoryAlarm) {
        this(messages, definitions, memory, diskAlarm, memoryAlarm, QuorumLogs.NONE, NodeLink.NONE);
    }

    /** Without a memory monitor: the memory alarm is never raised unless a test raises it. */
    public Storage(MessageStore messages, DefinitionStore definitions, MemoryBudget memory, ResourceAlarm diskAlarm) {
        this(messages, definitions, memory, diskAlarm, MemoryAlarm.unlimited());
    }

    /** Nothing on disk, no memory limit: for tests and embedded brokers. */
    public static Storage inMemory() {
        return new Storage(NoStore.INSTANCE, DefinitionStore.NONE, MemoryBudget.unlimited(), new ResourceAlarm("disk"));
    }

    /** Every alarm that blocks publishers, in the order RabbitMQ names them in connection.blocked (disk, memory). */
    public List<ResourceAlarm> alarms() {
        return List.of(diskAlarm, memoryAlarm.alarm());
    }
}
