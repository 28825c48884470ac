package dev.warren.server;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGTERM a normal exit. By default the JVM runs its shutdown hooks on SIGTERM and then exits
 * with status 143, which service managers report as a failure; here SIGTERM calls
 * {@code System.exit(0)}, which runs the same hooks and exits with 0, as RabbitMQ does.
 *
 * <p>{@code sun.misc.Signal} is reached by reflection only because javac warns on every build about
 * using it directly; it is the supported way (module jdk.unsupported) and exists on every JDK 17+.
 */
final class TermSignal {
    private TermSignal() {
    }

    static void exitCleanly() {
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            // The JVM runs each signal handler on a fresh thread, so exiting from it is safe.
            Object handler = Proxy.newProxyInstance(TermSignal.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> invoke(proxy, method, args));
            Object term = signalType.getConstructor(String.class).newInstance("TERM");
            signalType.getMethod("handle", signalType, handlerType).invoke(null, term, handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // e.g. under -Xrs: SIGTERM still runs the shutdown hook, only the exit status is 143.
            LoggerFactory.getLogger(TermSignal.class).debug("SIGTERM handler not installed: {}", e.toString());
        }
    }

    private static Object invoke(Object proxy, Method method, Object[] args) {
        return switch (method.getName()) {
            case "handle" -> {
                System.exit(0);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "TermSignal.handler";
        };
    }
}
