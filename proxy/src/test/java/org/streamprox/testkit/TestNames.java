package org.streamprox.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.streamprox.proxy.net.IpAddresses;

/**
 * The name service of every JVM with the test classes on its class path (registered in {@code META-INF/services}):
 * names ending in {@value #SUFFIX} have the addresses a test gives them, never the network's; every other name goes
 * to the JDK's own resolver.
 *
 * <p>A test in this JVM sets them with {@link #answer} and {@link #forget}. A StreamProx process the test starts
 * reads them from the hosts file named by the system property {@value #HOSTS_FILE_PROPERTY}, again at each lookup:
 * one line per name, the name then its addresses ({@code web.streamprox.test 127.0.0.2 127.0.0.3}).
 *
 * <p>The JDK caches what a resolver answered ({@code networkaddress.cache.ttl}, 30 s unless set): the proxy module's
 * tests run with its caches off ({@code src/test/names.security} in the surefire {@code argLine}); a StreamProx
 * process turns its cache of successful lookups off itself.
 */
public final class TestNames extends InetAddressResolverProvider {

    public static final String SUFFIX = ".streamprox.test";
    public static final String HOSTS_FILE_PROPERTY = "streamprox.test.hosts";

    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> LOOKUPS = new ConcurrentHashMap<>();

    /** From now on {@code name} resolves to these addresses, in this order. */
    public static void answer(String name, String... addresses) {
        NAMES.put(key(name), Arrays.stream(addresses).map(TestNames::literal).toList());
    }

    /** From now on {@code name} does not resolve. */
    public static void forget(String name) {
        NAMES.remove(key(name));
    }

    /** How many times {@code name} was looked up in this JVM, resolved or not. */
    public static int lookups(String name) {
        AtomicInteger count = LOOKUPS.get(key(name));
        return count == null ? 0 : count.get();
    }

    /** A line of a hosts file for {@value #HOSTS_FILE_PROPERTY}. */
    public static String hostsLine(String name, String... addresses) {
        return name + " " + String.join(" ", addresses) + "\n";
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtIn = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!key(host).endsWith(SUFFIX)) {
                    return builtIn.lookupByName(host, policy);
                }
                LOOKUPS.computeIfAbsent(key(host), name -> new AtomicInteger()).incrementAndGet();
                List<InetAddress> addresses = addressesOf(key(host));
                if (addresses == null || addresses.isEmpty()) {
                    throw new UnknownHostException(host + ": not a name this test gave an address");
                }
                return addresses.stream().map(address -> withName(host, address));
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtIn.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "StreamProx tests' names";
    }

    private static List<InetAddress> addressesOf(String name) {
        String file = System.getProperty(HOSTS_FILE_PROPERTY);
        if (file == null) {
            return NAMES.get(name);
        }
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .map(line -> line.trim().split("\\s+"))
                    .filter(fields -> key(fields[0]).equals(name))
                    .findFirst()
                    .map(fields -> Arrays.stream(fields).skip(1).map(TestNames::literal).toList())
                    .orElse(null);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static InetAddress literal(String address) {
        return IpAddresses.parse(address)
                .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + address));
    }

    private static InetAddress withName(String host, InetAddress address) {
        try {
            return InetAddress.getByAddress(host, address.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
