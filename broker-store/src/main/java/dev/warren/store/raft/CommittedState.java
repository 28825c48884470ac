package dev.warren.store.raft;

import dev.warren.core.store.Definitions;
import dev.warren.core.store.SecurityDefinitions;
import java.util.Map;
import java.util.Optional;

/** The definitions the cluster committed, as a node's broker restores them; security is empty before the first seeding. */
public record CommittedState(Map<String, Definitions> vhosts, Optional<SecurityDefinitions> security) {
}
