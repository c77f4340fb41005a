package io.reactivep2p.examples.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import io.reactivep2p.testing.LeakDetectionExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;

/**
 * The application on a random HTTP port, its node on 127.0.0.1 and a free port, without a
 * dialer (peers dial it: {@link TestPeer}). Every test class with this annotation shares one
 * application context, hence one node: each test uses transactions of its own
 * ({@link TestTransactions}) and disconnects its peers when done. After each class, Netty's
 * leak reports fail it ({@link LeakDetectionExtension}: buffers leaked by the application's
 * node, the web server or a test's node).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "p2p.host=127.0.0.1",
        "p2p.port=0",
        "p2p.outbound-target=0",
        "p2p.allow-local-addresses=true",
        "p2p.event-loop-threads=1",
})
@AutoConfigureWebTestClient
@ExtendWith(LeakDetectionExtension.class)
@interface ExampleAppTest {
}
