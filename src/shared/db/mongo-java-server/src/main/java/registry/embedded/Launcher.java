package registry.embedded;

import java.util.List;
import java.util.Set;

import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * Starts mongo-java-server on 127.0.0.1:PORT for the registry.
 *
 * <pre>
 *   java -cp 'lib/*' registry.embedded.Launcher --port=PORT (--file=DATA.mv | --memory) [--cache-mb=N]
 * </pre>
 *
 * Prints "ready PORT" on stdout once it listens.
 */
public final class Launcher {

    /**
     * The version the server reports. mongo-java-server says 5.0 with wire version 8; the Node.js
     * driver 7 refuses anything below wire version 9 (MongoDB 4.4). We claim exactly that minimum:
     * the driver then speaks OP_MSG with find/aggregate cursors and write commands, which is all the
     * registry sends. It does not make the server implement 4.4 features (no transactions, no
     * change streams); the test suite runs on it to show the commands the app uses all work.
     */
    static final MongoVersion REPORTED = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    };

    /** Commands that change data: each is committed to the file before its reply is sent. */
    static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "create",
        "createindexes", "drop", "dropindexes", "dropdatabase", "renamecollection");

    /**
     * H2 backend that commits the MVStore after every write command, before the reply leaves. An
     * acknowledged write is then in the file (the OS page cache), so killing this process, even with
     * SIGKILL, loses none. H2's own background commit (once a second) would lose up to a second.
     */
    static final class DurableH2Backend extends H2Backend {
        DurableH2Backend(MVStore store) {
            super(store);
        }

        @Override
        public Document handleCommand(Channel channel, String database, String command, Document query) {
            try {
                return super.handleCommand(channel, database, command, query);
            } finally {
                if (WRITES.contains(command.toLowerCase(java.util.Locale.ROOT))) {
                    commit();
                }
            }
        }
    }

    public static void main(String[] args) {
        int port = 0;
        String file = null;
        boolean memory = false;
        int cacheMb = 256;
        for (String arg : args) {
            if (arg.startsWith("--port=")) port = Integer.parseInt(arg.substring(7));
            else if (arg.startsWith("--file=")) file = arg.substring(7);
            else if (arg.equals("--memory")) memory = true;
            else if (arg.startsWith("--cache-mb=")) cacheMb = Integer.parseInt(arg.substring(11));
            else {
                System.err.println("unknown argument: " + arg);
                System.exit(2);
            }
        }
        if (port <= 0 || (file == null) == !memory) {
            System.err.println("usage: Launcher --port=PORT (--file=DATA.mv | --memory) [--cache-mb=N]");
            System.exit(2);
        }

        final MongoBackend backend;
        if (memory) {
            backend = new MemoryBackend();
        } else {
            // The cache holds decoded pages: sized to the data, scans never go back to the file.
            MVStore store = new MVStore.Builder().fileName(file).cacheSize(cacheMb).compress().open();
            backend = new DurableH2Backend(store);
        }
        backend.version(REPORTED);
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));
        System.out.println("ready " + port);
        System.out.flush();
    }

    private Launcher() {
    }
}
