package io.backroute.store;

import io.backroute.testsupport.FtpTestServer;

/** The FTPS destination (explicit TLS, certificate checked against a trust store) meets the Destination contract. */
class FtpsDestinationContractTest extends FtpDestinationContractTest {

    @Override
    protected FtpTestServer newServer() throws Exception {
        return FtpTestServer.ftps();
    }

    @Override
    protected Destination newDestination() {
        return new FtpDestination.FtpsProvider().create("ftps-offsite", server.options("backups"), camel);
    }
}
