package io.backroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.hierynomus.security.Mac;
import com.hierynomus.security.bc.BCSecurityProvider;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmbSigningTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] RFC4493_KEY = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
    private static final byte[] RFC4493_MESSAGE = HEX.parseHex("6bc1bee22e409f96e93d7e117393172a"
            + "ae2d8a571e03ac9c9eb76fac45af8e51" + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710");

    private static String cmac(byte[] message, int length) throws Exception {
        Mac mac = new SmbSigning().getMac("AESCMAC");
        mac.init(RFC4493_KEY);
        mac.update(message, 0, length);
        return HEX.formatHex(mac.doFinal());
    }

    @Test
    void aesCmacMatchesTheFourExamplesOfRfc4493() throws Exception {
        assertThat(cmac(RFC4493_MESSAGE, 0)).isEqualTo("bb1d6929e95937287fa37d129b756746");
        assertThat(cmac(RFC4493_MESSAGE, 16)).isEqualTo("070a16b46b4d4144f79bdd9dd04a287c");
        assertThat(cmac(RFC4493_MESSAGE, 40)).isEqualTo("dfa66747de9ae63030ca32611497c827");
        assertThat(cmac(RFC4493_MESSAGE, 64)).isEqualTo("51f0bebf7e3b9d92fc49741779363cfe");
    }

    @Test
    void macsEqualSmbjsBouncyCastleOnesForAnyLengthAndAnySplitOfTheUpdatesAndAfterReuse() throws Exception {
        Random random = new Random(42);
        for (String algorithm : new String[] {"AESCMAC", "HMACSHA256"}) {
            byte[] key = new byte[16];
            random.nextBytes(key);
            Mac ours = new SmbSigning().getMac(algorithm);
            Mac theirs = new BCSecurityProvider().getMac(algorithm);
            ours.init(key);
            theirs.init(key);
            for (int round = 0; round < 300; round++) {
                int length = round < 70 ? round : random.nextInt(200_000);
                byte[] message = new byte[length];
                random.nextBytes(message);
                int off = 0;
                while (off < length) {
                    int n = Math.min(length - off, random.nextInt(3) == 0 ? 1 + random.nextInt(17) : 1 + random.nextInt(70_000));
                    if (n == 1 && random.nextBoolean()) {
                        ours.update(message[off]);
                    } else {
                        ours.update(message, off, n);
                    }
                    off += n;
                }
                theirs.update(message, 0, length);
                assertThat(HEX.formatHex(ours.doFinal())).as("%s of %d bytes", algorithm, length)
                        .isEqualTo(HEX.formatHex(theirs.doFinal()));
            }
        }
    }
}
