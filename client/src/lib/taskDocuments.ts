import { graphql } from '../gql';

// Every task-related operation of the web app. GraphQL Code Generator reads these strings and
// types them against specs/schema.graphql (npm run codegen).

export const TaskFields = graphql(`
  fragment TaskFields on Task {
    id
    title
    description
    completed
    priority
    dueDate
    createdAt
    updatedAt
  }
`);

export const TaskListQuery = graphql(`
  query TaskList($filter: TaskFilter, $orderBy: TaskOrder, $first: Int!, $after: String) {
    tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges {
        cursor
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

/** Used by the cache to rewrite one page's totalCount after an optimistic change. */
export const TaskListTotalCountQuery = graphql(`
  query TaskListTotalCount($filter: TaskFilter, $orderBy: TaskOrder, $first: Int, $after: String) {
    tasks(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
    }
  }
`);

/** Used by the cache to create the edge of a task it inserts into a list. */
export const TaskEdgeLink = graphql(`
  fragment TaskEdgeLink on TaskEdge {
    cursor
    node {
      id
    }
  }
`);

export const CreateTaskMutation = graphql(`
  mutation CreateTask($input: CreateTaskInput!) {
    createTask(input: $input) {
      ...TaskFields
    }
  }
`);

export const UpdateTaskMutation = graphql(`
  mutation UpdateTask($id: ID!, $input: UpdateTaskInput!) {
    updateTask(id: $id, input: $input) {
      ...TaskFields
    }
  }
`);

export const ToggleTaskMutation = graphql(`
  mutation ToggleTask($id: ID!) {
    toggleTask(id: $id) {
      ...TaskFields
    }
  }
`);

export const DeleteTaskMutation = graphql(`
  mutation DeleteTask($id: ID!) {
    deleteTask(id: $id)
  }
`);

/** Changes made anywhere (other tabs, devices, scripts); Graphcache applies them to every cached list. */
export const TaskEventsSubscription = graphql(`
  subscription TaskEvents {
    taskEvents {
      kind
      taskId
      at
      task {
        ...TaskFields
      }
    }
  }
`);
