package dev.indelible.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.junit.jupiter.api.Test;

/**
 * The leader never lets an append request that names no previous entry claim a commit index past
 * its own last entry (Ratis's follower would commit one entry more than such a request proves; see
 * {@link PurgeAwareLogAppender#withProvableCommit}).
 */
class PurgeAwareLogAppenderTest {
    private static AppendEntriesRequestProto request(long leaderCommit, TermIndexProto previous, long... indexes) {
        AppendEntriesRequestProto.Builder builder =
                AppendEntriesRequestProto.newBuilder().setLeaderTerm(3).setLeaderCommit(leaderCommit);
        if (previous != null) {
            builder.setPreviousLog(previous);
        }
        LongStream.of(indexes)
                .forEach(i -> builder.addEntries(
                        LogEntryProto.newBuilder().setTerm(3).setIndex(i).build()));
        return builder.build();
    }

    @Test
    void aHeartbeatWithoutAPreviousEntryClaimsNoCommit() {
        AppendEntriesRequestProto heartbeat = request(7, null);

        AppendEntriesRequestProto sent = PurgeAwareLogAppender.withProvableCommit(heartbeat);

        assertThat(sent.getLeaderCommit()).isEqualTo(-1);
        assertThat(sent.getEntriesCount()).isZero();
        assertThat(sent.getLeaderTerm()).isEqualTo(3);
    }

    @Test
    void entriesFromTheLogsStartClaimACommitUpToTheirLastEntryOnly() {
        AppendEntriesRequestProto fromStart = request(9, null, 0, 1, 2, 3, 4);

        AppendEntriesRequestProto sent = PurgeAwareLogAppender.withProvableCommit(fromStart);

        assertThat(sent.getLeaderCommit()).isEqualTo(4);
        assertThat(sent.getEntriesList()).isEqualTo(fromStart.getEntriesList());
    }

    @Test
    void aCommitWithinTheEntriesOrARequestNamingItsPreviousEntryIsSentUnchanged() {
        AppendEntriesRequestProto lowCommit = request(2, null, 0, 1, 2, 3, 4);
        AppendEntriesRequestProto withPrevious =
                request(20, TermIndexProto.newBuilder().setTerm(3).setIndex(9).build(), 10, 11, 12);
        AppendEntriesRequestProto heartbeatWithPrevious =
                request(20, TermIndexProto.newBuilder().setTerm(3).setIndex(12).build());

        assertThat(PurgeAwareLogAppender.withProvableCommit(lowCommit)).isSameAs(lowCommit);
        assertThat(PurgeAwareLogAppender.withProvableCommit(withPrevious)).isSameAs(withPrevious);
        assertThat(PurgeAwareLogAppender.withProvableCommit(heartbeatWithPrevious))
                .isSameAs(heartbeatWithPrevious);
    }
}
