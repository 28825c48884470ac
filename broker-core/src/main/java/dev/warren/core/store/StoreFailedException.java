package dev.warren.core.store;

/** The message store can no longer write: thrown to whoever asks it to store something new. */
public final class StoreFailedException extends RuntimeException {
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
