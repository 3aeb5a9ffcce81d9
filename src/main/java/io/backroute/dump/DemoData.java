package io.backroute.dump;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, only where missing, a demo SQLite database and a demo directory tree for the demo job and the tests.
 */
public final class DemoData {

    public static final int CUSTOMERS = 2_000;
    public static final int ORDERS = 10_000;
    public static final String[] PRODUCTS = {
        "Crème brûlée torch", "Smörgåsbord platter", "Jalapeño grinder", "Ångström ruler", "Piñata kit",
        "Ферментатор", "日本茶セット", "Kaffeeröster Größe M", "Çay demliği", "Ελαιόλαδο 1 l",
        "Plain widget", "Naïve café mug", "Zürich map", "Straße sign", "ファイル box", "Łódź postcard",
    };
    private static final long SEED = 20240601L;
    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);

    private DemoData() {
    }

    /**
     * Creates each of the two demo data sets that does not exist yet; existing ones are left untouched.
     * Each is built beside its target and moved into place, so an interrupted run never leaves half a data set.
     */
    public static void ensure(Path sqliteFile, Path directory) {
        try {
            if (Files.notExists(sqliteFile)) {
                createDatabase(sqliteFile);
            } else {
                LOG.debug("demo database {} already exists, left as is", sqliteFile);
            }
            if (Files.notExists(directory)) {
                createDirectory(directory);
            } else {
                LOG.debug("demo directory {} already exists, left as is", directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create demo data: " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create demo database " + sqliteFile + ": " + e.getMessage(), e);
        }
    }

    private static void createDatabase(Path target) throws IOException, SQLException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".demo-", ".sqlite");
        try {
            Random random = new Random(SEED);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + temp)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,"
                            + " city TEXT, created TEXT NOT NULL)");
                    st.executeUpdate("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)");
                    st.executeUpdate("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),"
                            + " product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL, ordered TEXT NOT NULL,"
                            + " note TEXT)");
                    st.executeUpdate("CREATE INDEX orders_customer ON orders(customer_id)");
                    st.executeUpdate("CREATE VIEW customer_totals AS SELECT c.id, c.name, count(o.id) AS orders,"
                            + " sum(o.quantity * p.price_cents) AS total_cents FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
                            + " LEFT JOIN products p ON p.id = o.product_id GROUP BY c.id");
                }
                String[] cities = {"Lisboa", "Kraków", "München", "São Paulo", "Reykjavík", "Montréal", "Oslo", "Nairobi"};
                LocalDate epoch = LocalDate.of(2020, 1, 1);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?, ?, ?)")) {
                    for (int i = 1; i <= CUSTOMERS; i++) {
                        ps.setInt(1, i);
                        ps.setString(2, "Customer " + i);
                        ps.setString(3, "customer" + i + "@example.org");
                        ps.setString(4, cities[random.nextInt(cities.length)]);
                        ps.setString(5, epoch.plusDays(random.nextInt(1500)).toString());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO products VALUES (?, ?, ?)")) {
                    for (int i = 0; i < PRODUCTS.length; i++) {
                        ps.setInt(1, i + 1);
                        ps.setString(2, PRODUCTS[i]);
                        ps.setInt(3, 199 + random.nextInt(20_000));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)")) {
                    for (int i = 1; i <= ORDERS; i++) {
                        ps.setInt(1, i);
                        ps.setInt(2, 1 + random.nextInt(CUSTOMERS));
                        ps.setInt(3, 1 + random.nextInt(PRODUCTS.length));
                        ps.setInt(4, 1 + random.nextInt(9));
                        ps.setString(5, epoch.plusDays(random.nextInt(1500)).toString());
                        ps.setString(6, random.nextInt(4) == 0 ? "gift wrap, deliver after " + (8 + random.nextInt(10)) + ":00" : null);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        LOG.info("created demo SQLite database {} ({} customers, {} products, {} orders, an index and a view)",
                target, CUSTOMERS, PRODUCTS.length, ORDERS);
    }

    private static void createDirectory(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempDirectory(parent, ".demo-");
        try {
            Random random = new Random(SEED);
            Files.writeString(temp.resolve("README.txt"), "Demo tree for Backroute: restore it with tar -x and compare.\n");
            Path logs = Files.createDirectories(temp.resolve("logs"));
            writeLines(logs.resolve("app.log"), 2_000, random, "INFO request served in %d ms for /orders/%d");
            writeLines(logs.resolve("audit.log"), 500, random, "AUDIT user %d changed order %d");
            Path nested = Files.createDirectories(temp.resolve("reports").resolve("2024").resolve("q2"));
            writeLines(nested.resolve("summary.csv"), 300, random, "%d;%d;EUR");
            Files.writeString(nested.resolve("notes-ünïcödé.txt"), "Quarterly notes: ✓ done, ✗ pending.\n");
            Path data = Files.createDirectories(temp.resolve("data"));
            byte[] block = new byte[8192];
            try (OutputStream out = Files.newOutputStream(data.resolve("random.bin"))) {
                for (int i = 0; i < 8; i++) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
            Files.createSymbolicLink(temp.resolve("latest.log"), Path.of("logs", "app.log"));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(temp)) {
                deleteTree(temp);
            }
        }
        LOG.info("created demo directory {} (text logs, nested reports, a 64 KiB random binary, a relative symlink)", target);
    }

    private static void writeLines(Path file, int lines, Random random, String format) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines; i++) {
                w.write(String.format(Locale.ROOT, format, random.nextInt(1000), random.nextInt(100_000)));
                w.newLine();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
