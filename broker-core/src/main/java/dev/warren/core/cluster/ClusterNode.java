package dev.warren.core.cluster;

/** A member of this broker's cluster: its node name and whether this node can reach it now. */
public record ClusterNode(String name, boolean running) {
}
