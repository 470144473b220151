// The URL key (`/user/<username>`) of an upstream author: shared by the snapshot writer, which hands out
// the names, and the server, which renders cards of works published after the build with the same links.

/** `<source>-<external id>` with path-unsafe characters replaced (the writer appends `~<id>` on a clash). */
export function authorUsername(author: { source: string; externalId: string }): string {
  return `${author.source}-${author.externalId}`.replace(/[/?#\s%]+/g, '_');
}
