package dev.warren.core.connection;

/**
 * Stops and starts the broker's client listeners inside the running process, as rabbitmqctl's stop_app and
 * start_app do: stopping closes every client connection with 320 CONNECTION_FORCED and refuses new ones; what
 * the broker holds (definitions, queues, messages) stays; starting listens again where it listened.
 */
public interface ListenerControl {
    /** No listeners to control (a broker without a protocol server). */
    ListenerControl NONE = new ListenerControl() {
        @Override
        public boolean stopListening() {
            return false;
        }

        @Override
        public boolean startListening() {
            return false;
        }

        @Override
        public boolean listening() {
            return false;
        }
    };

    /** Stops accepting and closes every client connection; false when already stopped. */
    boolean stopListening();

    /** Listens again on the addresses it listened on; false when already listening. */
    boolean startListening() throws InterruptedException;

    boolean listening();
}
