import type { Response } from 'express';

/** SuperOffice's REST error body (superoffice-api.md 7.2). */
export function sendError(res: Response, status: number, errorType: string, message: string): void {
  res.status(status).json({
    Error: true,
    ErrorType: errorType,
    ErrorMessage: message,
    ErrorSource: 'SuperOffice.Simulator',
  });
}
