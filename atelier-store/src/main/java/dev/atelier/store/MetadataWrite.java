package dev.atelier.store;

import dev.atelier.core.session.Round;
import dev.atelier.core.session.Session;
import dev.atelier.core.session.StoredImage;
import java.util.Objects;

/**
 * One change to the metadata that a job makes, applied in the transaction that completes the job
 * ({@link JobStore#complete}), so that a job's images and its completion commit together or not at
 * all. Each is what the {@link MetadataStore} method of the same name does.
 */
public sealed interface MetadataWrite {
  /** {@link MetadataStore#insertImage}. */
  record InsertImage(StoredImage image) implements MetadataWrite {
    /** Validates. */
    public InsertImage {
      Objects.requireNonNull(image, "image");
    }
  }

  /** {@link MetadataStore#createSession}. */
  record CreateSession(Session session, StoredImage rootImage) implements MetadataWrite {
    /** Validates. */
    public CreateSession {
      Objects.requireNonNull(session, "session");
      Objects.requireNonNull(rootImage, "rootImage");
    }
  }

  /** {@link MetadataStore#addRound}. */
  record AddRound(StoredImage image, Round round) implements MetadataWrite {
    /** Validates. */
    public AddRound {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(round, "round");
    }
  }

  /** {@link MetadataStore#moveHead}. */
  record MoveHead(String sessionId, String roundId) implements MetadataWrite {
    /** Validates. */
    public MoveHead {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(roundId, "roundId");
    }
  }
}
