// DynamoDB Local on one address only. DynamoDB Local has no option to choose the address
// it listens on: its Jetty connector takes every interface. This launcher builds the server
// exactly as DynamoDB Local's own ServerRunner.main does (createServerFromCommandLineArgs,
// the same arguments), sets the connector's host, then starts it.
//
//   java -Dlesson17.host=127.0.0.1 -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* \
//       LoopbackDynamoDBLocal.java -inMemory -sharedDb -port 8000
//
// Telemetry is never configured here, so DynamoDB Local has none to send (its
// Telemetry.getTelemetry() stays empty), as with -disableTelemetry.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        String host = System.getProperty("lesson17.host", "127.0.0.1");
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        Connector[] connectors = server.getConnectors();
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind");
        }
        for (Connector connector : connectors) {
            ((ServerConnector) connector).setHost(host);
        }
        proxy.start();
        System.out.println("DynamoDB Local listens on " + host + " only");
    }
}
