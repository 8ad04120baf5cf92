import { graphql } from '../gql';

// The account page's reads of the task list: every task for "Export your data", and the count
// the delete-account dialog names. GraphQL Code Generator types them (npm run codegen).

/** One page of the export, oldest first so the pages stay stable while they are fetched. */
export const ExportTasksQuery = graphql(`
  query ExportTasks($first: Int!, $after: String) {
    tasks(first: $first, after: $after, orderBy: { field: CREATED_AT, direction: ASC }) {
      edges {
        node {
          ...TaskFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const TaskCountQuery = graphql(`
  query TaskCount {
    tasks(first: 1) {
      totalCount
    }
  }
`);
