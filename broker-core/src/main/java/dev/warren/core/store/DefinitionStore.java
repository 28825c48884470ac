package dev.warren.core.store;

/** Keeps the durable definitions of each virtual host; {@link #save} returns once they are on disk. */
public interface DefinitionStore {
    DefinitionStore NONE = (vhost, definitions) -> { };

    /** Replaces what is stored for the virtual host. Called under the virtual host's lock. */
    void save(String vhost, Definitions definitions);
}
