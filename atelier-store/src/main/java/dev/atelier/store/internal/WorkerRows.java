package dev.atelier.store.internal;

import dev.atelier.store.Worker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** SQL for {@code workers}; every method runs inside the caller's transaction. */
public final class WorkerRows {
  private static final String COLUMNS =
      "id, host, pid, engine, models, device, state, current_job, started_at, heartbeat_at";

  private WorkerRows() {}

  /** Inserts {@code w}'s row or replaces the row of its id. */
  public static void upsert(Connection c, Worker w) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO workers ("
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                + " state = excluded.state, current_job = excluded.current_job,"
                + " heartbeat_at = excluded.heartbeat_at, models = excluded.models,"
                + " device = excluded.device")) {
      p.setString(1, w.id());
      p.setString(2, w.host());
      p.setLong(3, w.pid());
      p.setString(4, w.engine());
      p.setString(5, models(w.models()));
      p.setString(6, w.device());
      p.setString(7, w.state().wire());
      p.setString(8, w.currentJob());
      p.setString(9, Timestamps.sortable(w.startedAt()));
      p.setString(10, Timestamps.sortable(w.heartbeatAt()));
      p.executeUpdate();
    }
  }

  /** Every row, oldest registration first. */
  public static List<Worker> all(Connection c) throws SQLException {
    List<Worker> out = new ArrayList<>();
    try (PreparedStatement p =
            c.prepareStatement("SELECT " + COLUMNS + " FROM workers ORDER BY started_at, id");
        ResultSet rs = p.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Worker(
                rs.getString("id"),
                rs.getString("host"),
                rs.getLong("pid"),
                rs.getString("engine"),
                models(rs.getString("models")),
                rs.getString("device"),
                Worker.State.of(rs.getString("state")),
                rs.getString("current_job"),
                Instant.parse(rs.getString("started_at")),
                Instant.parse(rs.getString("heartbeat_at"))));
      }
    }
    return out;
  }

  /** Deletes row {@code id}. */
  public static void delete(Connection c, String id) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("DELETE FROM workers WHERE id = ?")) {
      p.setString(1, id);
      p.executeUpdate();
    }
  }

  /** Deletes the rows whose heartbeat is older than {@code before}. */
  public static int prune(Connection c, Instant before) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("DELETE FROM workers WHERE heartbeat_at < ?")) {
      p.setString(1, Timestamps.sortable(before));
      return p.executeUpdate();
    }
  }

  private static String models(List<Worker.Model> models) {
    List<String> parts = new ArrayList<>();
    for (Worker.Model m : models) {
      parts.add(m.id() + "=" + m.kind() + (m.profile().isEmpty() ? "" : "=" + m.profile()));
    }
    return String.join(",", parts);
  }

  private static List<Worker.Model> models(String column) {
    List<Worker.Model> out = new ArrayList<>();
    if (column.isEmpty()) {
      return out;
    }
    for (String part : column.split(",")) {
      // id=kind[=profile]; ids, kinds and profiles hold no '=' (Worker.Model checks).
      String[] f = part.split("=", 3);
      out.add(
          new Worker.Model(f[0], f.length > 1 ? f[1] : "text-to-image", f.length > 2 ? f[2] : ""));
    }
    return out;
  }
}
